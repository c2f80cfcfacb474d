// disposal.mjs: the web interface in a real browser (Debian's chromium,
// driven by playwright-core): sign-in refused to a producer, an archivist
// approving a disposal list with one line excluded after the confirmation
// page, session cookie flags, sign-out, CSRF and role refusals.  Prints
// one line per check: "PASS<TAB>what" or "FAIL<TAB>what<TAB>detail";
// tests/e2e/21-ui.sh turns them into TAP.
import { env, URL, check, signIn, shot, scenario } from './lib.mjs';

const LIST = env.SAE_LIST, EXCLUDE = env.SAE_EXCLUDE;

await scenario(async (browser) => {
	// Without a session, pages send to the sign-in form.
	let ctx = await browser.newContext();
	let page = await ctx.newPage();
	await page.goto(`${URL}/ui/`);
	check('no session: the dashboard sends to /ui/login', page.url() === `${URL}/ui/login`, page.url());
	check('the sign-in page is in French', await page.getAttribute('html', 'lang') === 'fr');
	await page.close();

	// A producer's token is refused, and the page says why.
	let { page: p, resp } = await signIn(ctx, env.SAE_PROD);
	check('a producer token is refused (403)', resp.status() === 403, resp.status());
	const msg = await p.textContent('#login-error').catch(() => '');
	check('with a message naming producers', /producteur/.test(msg), msg);
	await p.close();

	// The archivist signs in and sees the open list on the dashboard.
	({ page, resp } = await signIn(ctx, env.SAE_ARCH));
	check('the archivist signs in: dashboard', page.url() === `${URL}/ui/` &&
	    (await page.textContent('h1')).includes('Tableau de bord'), page.url());
	const link = page.locator(`#open-disposals a[href="/ui/disposals/${LIST}"]`);
	check('the dashboard shows the open list', await link.count() === 1);
	await shot(page, 'dashboard');

	const cookies = await ctx.cookies();
	const c = cookies.find((k) => k.name === 'sae_session');
	check('session cookie is HttpOnly, SameSite=Strict, Path=/ui, expiring',
	    c && c.httpOnly && c.sameSite === 'Strict' && c.path === '/ui' && c.expires > Date.now() / 1000,
	    JSON.stringify(c));

	// A form posted without its CSRF token is refused.
	const forged = await ctx.request.post(`${URL}/ui/disposals/${LIST}/reject`,
	    { form: { reason: 'forged' }, maxRedirects: 0 });
	check('a POST without CSRF token gets 403', forged.status() === 403, forged.status());

	await link.click();
	await page.waitForURL(`${URL}/ui/disposals/${LIST}`);
	check('the list is still proposed after the forged POST',
	    await page.getAttribute('#state', 'data-state') === 'proposed');
	await shot(page, 'disposal');
	// Three lines a page ([ui] lines_per_page = 3): the line to exclude
	// is on the second; turning pages posts the form, exclusions with it.
	check('the first page shows 3 of the 4 lines',
	    await page.locator('#lines tbody tr').count() === 3 &&
	    /3 sur 4/.test(await page.textContent('#lines caption')) &&
	    await page.locator(`#ex-${EXCLUDE}`).count() === 0);
	await page.getByRole('button', { name: 'Lignes suivantes' }).click();
	await page.waitForSelector(`#ex-${EXCLUDE}`);
	check('the second page has the last line', await page.locator('#lines tbody tr').count() === 1);
	await page.check(`#ex-${EXCLUDE}`);
	await page.getByRole('button', { name: 'Premières lignes' }).click();
	await page.waitForSelector('#lines tbody tr:nth-child(3)');
	check('back on the first page, the exclusion made on the second is carried',
	    await page.locator(`form#approve input[type=hidden][name=exclude][value="${EXCLUDE}"]`).count() === 1);
	await page.getByLabel("Référence du visa de l'autorité de contrôle (obligatoire)").fill('VISA-UI-2031-001');
	await page.getByLabel('Commentaire').fill('vu <b>en</b> séance & signé');
	await page.getByRole('button', { name: 'Approuver…' }).click();
	await page.waitForSelector('#confirm-units');
	const units = await page.getAttribute('#confirm-units', 'data-value');
	const bytes = await page.getAttribute('#confirm-bytes', 'data-value');
	check(`the confirmation says ${env.SAE_UNITS} units and ${env.SAE_BYTES} bytes`,
	    units === env.SAE_UNITS && bytes === env.SAE_BYTES, `${units} units, ${bytes} bytes`);
	const before = await ctx.request.get(`${URL}/ui/disposals/${LIST}`);
	check('nothing is approved before confirming',
	    (await before.text()).includes('data-state="proposed"'));
	await shot(page, 'confirm');
	await page.getByRole('button', { name: "Confirmer l'élimination" }).click();
	await page.waitForURL(`${URL}/ui/disposals/${LIST}`);
	const state = await page.getAttribute('#state', 'data-state');
	check('back on the list: approved', state === 'approved', state);
	check('with the visa', (await page.textContent('#visa')) === 'VISA-UI-2031-001');
	check('the comment is shown as text, not markup',
	    (await page.locator('main b').count()) === 0 &&
	    (await page.textContent('main')).includes('vu <b>en</b> séance & signé'));
	await page.getByRole('link', { name: 'Lignes suivantes' }).click();
	await page.waitForURL(/after=/);
	check('the excluded line says so', (await page.textContent(`tr[data-unit="${EXCLUDE}"] .outcome`)).includes('exclue'));

	// Sign out: the old cookie opens nothing any more.
	const old = (await ctx.cookies()).find((k) => k.name === 'sae_session');
	await page.getByRole('button', { name: 'Se déconnecter' }).click();
	await page.waitForURL(`${URL}/ui/login`);
	check('signed out: back to the sign-in page', page.url() === `${URL}/ui/login`, page.url());
	check('the browser dropped the cookie',
	    !(await ctx.cookies()).some((k) => k.name === 'sae_session'));
	const replay = await browser.newContext();
	await replay.addCookies([old]);
	const r = await replay.request.get(`${URL}/ui/`, { maxRedirects: 0 });
	check('the old session cookie no longer works (303 to /ui/login)',
	    r.status() === 303 && r.headers()['location'] === '/ui/login', r.status());
	await replay.close();
	await ctx.close();

	// An auditor sees the list without the forms, and a forged POST fails.
	ctx = await browser.newContext();
	({ page } = await signIn(ctx, env.SAE_AUD));
	await page.goto(`${URL}/ui/disposals`);
	check('the auditor sees the lists', await page.locator(`#disposals a[href="/ui/disposals/${LIST}"]`).count() === 1);
	await shot(page, 'disposals');
	await page.goto(`${URL}/ui/disposals/${env.SAE_LIST2}`);
	check('an auditor sees a proposed list without approve or reject form',
	    await page.locator('#lines').count() === 1 &&
	    await page.locator('form#approve, form#reject, input[name=exclude]').count() === 0);
	const csrf = await page.inputValue('form.logout input[name=csrf]');
	const post = await ctx.request.post(`${URL}/ui/disposals/${env.SAE_LIST2}/reject`,
	    { form: { csrf, reason: 'pas mon rôle' }, maxRedirects: 0 });
	check('an auditor posting a rejection with a valid CSRF token gets 403', post.status() === 403, post.status());
	await ctx.close();
});
