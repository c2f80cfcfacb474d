// audit-rules.mjs: the "Audit" and "Règles" screens and the dashboard's
// last audit and storage offers in a real browser (Debian's chromium,
// driven by playwright-core).  The auditor starts an audit from the page,
// reloads until its report is listed, opens it and finds the damaged
// copy named; the dashboard shows that audit and the offers.  The
// archivist sends a new DUA table, sees its effect with nothing imported,
// confirms it; a malformed table is refused with file:line; role
// refusals.  Prints one line per check for tests/e2e/24-ui-audit-rules.sh.
import { readFileSync } from 'node:fs';
import { env, URL, check, signIn, shot, scenario } from './lib.mjs';

const V0 = Number(env.SAE_V0);

// The version of the DUA table in force, through the API.
async function apiVersion(ctx) {
	const r = await ctx.request.get(`${URL}/v1/rules`,
	    { headers: { Authorization: `Bearer ${env.SAE_ARCH}` } });
	return (await r.json()).version;
}

async function csrfOf(page) {
	return page.getAttribute('form.logout input[name="csrf"]', 'value');
}

await scenario(async (browser) => {
	// The auditor.
	let ctx = await browser.newContext();
	let { page } = await signIn(ctx, env.SAE_AUD);
	await page.getByRole('navigation').getByRole('link', { name: 'Audit', exact: true }).click();
	await page.waitForURL(`${URL}/ui/audits`);
	check('the Audit screen answers', (await page.textContent('h1')).includes('Audit'));
	check('no audit yet', (await page.textContent('#reports')).includes('Aucun audit'));
	check('the journal check is not known yet',
	    await page.getAttribute('#journal-status', 'data-ok') === 'unknown');
	await page.getByLabel('Audit complet (toutes les copies)').check();
	await Promise.all([
		page.waitForNavigation(),
		page.getByRole('button', { name: "Lancer l'audit" }).click(),
	]);
	check('starting an audit comes back to the Audit screen', page.url() === `${URL}/ui/audits`, page.url());
	for (let i = 0; i < 150 && await page.locator('#reports tbody tr').count() === 0; i++) {
		await page.waitForTimeout(200);
		await page.reload();
	}
	const row = page.locator('#reports tbody tr').first();
	check('the audit is listed once done', await page.locator('#reports tbody tr').count() === 1);
	const result = await row.locator('.result span').getAttribute('data-result');
	check('its result: problems found', result === 'problems', result);
	check('by the auditor, one problem',
	    (await row.textContent()).includes('aud') && (await row.locator('.problems').textContent()).trim() === '1',
	    await row.textContent());
	const js = await page.getAttribute('#journal-status', 'data-ok');
	check("the journal's chain is whole, as the audit found it", js === 'true', js);
	await shot(page, 'audits');

	const aid = await row.getAttribute('data-audit');
	await row.locator(`a[href="/ui/audits/${aid}"]`).click();
	await page.waitForURL(`${URL}/ui/audits/${aid}`);
	check('the report page says problems were found',
	    await page.getAttribute('#result span', 'data-result') === 'problems');
	const bad = page.locator('#problems tbody tr[data-problem="corrupt"]');
	check('one damaged copy in the report', await bad.count() === 1, await bad.count());
	const text = await bad.textContent();
	check('it names the object, its content and the offer',
	    text.includes(env.SAE_OBJ) && text.includes(env.SAE_SHA) &&
	    (await bad.locator('.offer').textContent()) === 'vault-a', text);
	check("and the copy's file",
	    text.includes(`/objects/${env.SAE_SHA.slice(0, 2)}/${env.SAE_SHA}`), text);
	check('the chain of the journal is reported whole',
	    (await page.textContent('#chain')).includes('intègre'));
	await shot(page, 'audit');

	// The dashboard: the last audit and the offers.
	await page.getByRole('link', { name: 'Tableau de bord' }).click();
	await page.waitForURL(`${URL}/ui/`);
	check('the dashboard shows the last audit with problems',
	    await page.getAttribute('#last-audit', 'data-result') === 'problems');
	check('with a link to its report',
	    await page.locator(`#last-audit a[href="/ui/audits/${aid}"]`).count() === 1);
	const offers = page.locator('#offers tbody tr[data-offer]');
	check('the offers table lists both offers', await offers.count() === 2, await offers.count());
	check('each holds the two copies',
	    await page.getAttribute('#offers tr[data-offer="vault-a"] .copies', 'data-value') === '2' &&
	    await page.getAttribute('#offers tr[data-offer="vault-b"] .copies', 'data-value') === '2');
	const free = await page.getAttribute('#offers tr[data-offer="vault-a"] .free', 'data-value');
	check('with the free space of each offer', Number(free) > 0, free);
	await shot(page, 'dashboard-full');

	// An auditor reads the rules but cannot replace them.
	await page.getByRole('link', { name: 'Règles' }).click();
	await page.waitForURL(`${URL}/ui/rules`);
	check('the auditor sees the table, without the form to send one',
	    await page.locator('#rules tbody tr').count() > 0 && await page.locator('#send').count() === 0);
	const csv = readFileSync(env.SAE_CSV).toString('base64');
	const r = await ctx.request.post(`${URL}/ui/rules/import`,
	    { form: { csrf: await csrfOf(page), base: String(V0), csv }, maxRedirects: 0 });
	check('an auditor cannot import a table (403)', r.status() === 403, r.status());
	await ctx.close();

	// The archivist.
	ctx = await browser.newContext();
	({ page } = await signIn(ctx, env.SAE_ARCH));
	const ra = await ctx.request.post(`${URL}/ui/audits`,
	    { form: { csrf: await csrfOf(page), scope: 'full' }, maxRedirects: 0 });
	check('an archivist cannot start an audit (403)', ra.status() === 403, ra.status());
	await page.getByRole('link', { name: 'Règles' }).click();
	await page.waitForURL(`${URL}/ui/rules`);
	check(`the table in force is version ${V0}`,
	    Number(await page.getAttribute('#version', 'data-version')) === V0);
	check('EC-02 lasts 1 year',
	    (await page.textContent('#rules tr[data-rule="EC-02"] .duration')).trim() === '1 an');
	await shot(page, 'rules');

	await page.getByLabel('Fichier CSV du nouveau tableau de gestion').setInputFiles(env.SAE_CSV);
	await Promise.all([
		page.waitForNavigation(),
		page.getByRole('button', { name: 'Voir les effets…' }).click(),
	]);
	check('the preview page', page.url() === `${URL}/ui/rules/preview` && await page.locator('#preview').count() === 1, page.url());
	check('EC-02 is the one rule changed, to 3 years',
	    await page.locator('#diff tbody tr').count() === 1 &&
	    (await page.textContent('#diff tr[data-rule="EC-02"] .new-duration')).trim() === '3 ans');
	const n = Number(await page.getAttribute('#preview-units', 'data-value'));
	check('units whose DUA end moves are counted', n >= 1 && n === await page.locator('#changes tbody tr').count(), n);
	const unit = page.locator(`#changes tr[data-unit="${env.SAE_ROOT}"]`);
	check('the dossier is listed, its DUA to end in 2027',
	    await unit.count() === 1 && (await unit.locator('.new-end').textContent()) === '2027-03-15');
	check('nothing is imported yet', await apiVersion(ctx) === V0);
	await shot(page, 'rules-preview');
	await Promise.all([
		page.waitForNavigation(),
		page.getByRole('button', { name: 'Importer ce tableau' }).click(),
	]);
	check('after the import: back on the rules, told the new version',
	    page.url() === `${URL}/ui/rules?imported=${V0 + 1}` && await page.locator('#imported').count() === 1, page.url());
	check(`version ${V0 + 1} is in force, EC-02 lasts 3 years`,
	    Number(await page.getAttribute('#version', 'data-version')) === V0 + 1 &&
	    (await page.textContent('#rules tr[data-rule="EC-02"] .duration')).trim() === '3 ans');
	check('the API agrees', await apiVersion(ctx) === V0 + 1);

	// A malformed table: file:line and why; nothing changes.
	await page.getByLabel('Fichier CSV du nouveau tableau de gestion').setInputFiles(env.SAE_KO);
	const [resp] = await Promise.all([
		page.waitForNavigation(),
		page.getByRole('button', { name: 'Voir les effets…' }).click(),
	]);
	check('a malformed table is refused (422)', resp.status() === 422, resp.status());
	const why = await page.textContent('#error-text').catch(() => '');
	check('the page says file:line and why', /^upload\.csv:\d+: .*ACC-00001/.test(why), why);
	check('and nothing changed', await apiVersion(ctx) === V0 + 1 &&
	    Number(await page.getAttribute('#version', 'data-version')) === V0 + 1);
	check('no confirmation form is offered', await page.locator('#confirm').count() === 0);
	await ctx.close();
});
