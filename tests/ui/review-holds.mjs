// review-holds.mjs: the "À trier" and "Gels" screens in a real browser
// (Debian's chromium, driven by playwright-core): an archivist keeps a unit
// alone, destroys two in bulk with the keyboard only, is told which units
// of a decision were refused and why, pages through the units, places a
// hold and lifts it; labels, captions and header scopes are checked; an
// auditor sees both pages without forms and a POST from them gets 403.
// Prints one line per check: "PASS<TAB>what" or "FAIL<TAB>what<TAB>detail";
// tests/e2e/23-ui-review-holds.sh turns them into TAP.
import { env, URL, check, signIn, shot, scenario } from './lib.mjs';

const KEEP = env.SAE_KEEP, KEEP2 = env.SAE_KEEP2, HOLD_UNIT = env.SAE_HOLD;
const [D1, D2] = env.SAE_DESTROY.split(' ');
const TOTAL = Number(env.SAE_TOTAL);

// Form fields without a <label>, tables without caption, th without scope.
async function a11y(page) {
	return page.evaluate(() => {
		const bad = [];
		for (const f of document.querySelectorAll('input:not([type=hidden]), textarea, select'))
			if (f.labels.length === 0)
				bad.push(`unlabelled ${f.name}#${f.id}`);
		for (const t of document.querySelectorAll('table')) {
			if (!t.querySelector('caption'))
				bad.push(`no caption: table#${t.id}`);
			for (const th of t.querySelectorAll('th'))
				if (!th.getAttribute('scope'))
					bad.push(`no scope: ${th.textContent}`);
		}
		return bad;
	});
}

// A form POST with repeated fields, as a browser sends it, no redirects.
function post(ctx, path, fields) {
	return ctx.request.post(`${URL}${path}`, {
		headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
		data: new URLSearchParams(fields).toString(), maxRedirects: 0,
	});
}

async function rows(page) {
	return page.locator('#review tbody tr').count();
}

await scenario(async (browser) => {
	let ctx = await browser.newContext({ locale: 'fr-FR' });
	let { page } = await signIn(ctx, env.SAE_ARCH);

	// À trier: every unit awaiting review, with what a decision does.
	await page.getByRole('navigation', { name: 'Menu principal' }).getByRole('link', { name: 'À trier' }).click();
	await page.waitForURL(`${URL}/ui/review`);
	check('the menu leads to "À trier"', (await page.textContent('h1')).trim() === 'À trier');
	check(`the archivist sees the ${TOTAL} units awaiting review`, await rows(page) === TOTAL, await rows(page));
	check('each line links to its unit page',
	    await page.locator(`#review tr[data-unit="${KEEP}"] a[href="/ui/units/${KEEP}"]`).count() === 1);
	check('each line shows its rule and sorting criterion',
	    /AG-05/.test(await page.textContent(`#review tr[data-unit="${KEEP}"]`)) &&
	    /sinistres importants/.test(await page.textContent(`#review tr[data-unit="${KEEP}"]`)));
	const what = await page.textContent('#what-it-does');
	check('the page says "détruire" destroys nothing before a disposal list is approved',
	    /ne détruit rien immédiatement/.test(what) && /prochain bordereau/.test(what), what);
	let bad = await a11y(page);
	check('review: every field and checkbox has a label, tables a caption, th a scope', bad.length === 0, bad.join('; '));

	// Paging: limit and the "after" cursor.
	await page.goto(`${URL}/ui/review?limit=4`);
	check('a page of 4', await rows(page) === 4, await rows(page));
	await page.click('#next-page');
	check(`the next page has the other ${TOTAL - 4}`, await rows(page) === TOTAL - 4 &&
	    await page.locator('#next-page').count() === 0 && await page.locator('#first-page').count() === 1,
	    await rows(page));

	// One unit kept, alone.
	await page.goto(`${URL}/ui/review`);
	await page.getByLabel(new RegExp(`Choisir « s1 » \\(${KEEP}\\)`)).check();
	await page.getByLabel('Conserver (archives définitives)').check();
	await page.getByLabel('Motivation (obligatoire)').fill('intérêt historique <b>fort</b> & durable');
	await Promise.all([page.waitForURL(`${URL}/ui/review?kept=1`),
	    page.getByRole('button', { name: 'Enregistrer la décision' }).click()]);
	let notice = await page.textContent('#notice');
	check('after keeping one: "1 unité(s) conservée(s)"', /1 unité\(s\) conservée\(s\)/.test(notice), notice);
	check('the kept unit left the list', await page.locator(`#review tr[data-unit="${KEEP}"]`).count() === 0 &&
	    await rows(page) === TOTAL - 1, await rows(page));
	let last = page.locator(`#recent tr[data-unit="${KEEP}"]`);
	check('the last decisions show it: conserver, by arch',
	    (await last.locator('.decision').textContent()) === 'conserver' &&
	    (await last.locator('.by').textContent()) === 'arch');
	check('the motivation is shown as text, not markup',
	    (await page.locator('main b').count()) === 0 &&
	    (await last.locator('.comment').textContent()) === 'intérêt historique <b>fort</b> & durable');

	// Two units destroyed at once, with the keyboard only.
	await page.focus(`#u-${D1}`);
	await page.keyboard.press('Space');
	await page.focus(`#u-${D2}`);
	await page.keyboard.press('Space');
	await page.focus('#decision-destroy');
	await page.keyboard.press('Space');
	await page.focus('#comment');
	await page.keyboard.type('sans intérêt au-delà de la DUA');
	await page.keyboard.press('Tab');
	const focused = await page.evaluate(() => document.activeElement.textContent);
	check('Tab from the motivation reaches the submit button', focused === 'Enregistrer la décision', focused);
	await Promise.all([page.waitForURL(`${URL}/ui/review?destroyed=2`), page.keyboard.press('Enter')]);
	notice = await page.textContent('#notice');
	check('after destroying two: they go on the next disposal list, nothing destroyed yet',
	    /2 unité\(s\) à détruire/.test(notice) && /prochain bordereau/.test(notice) &&
	    /Rien n'est détruit/.test(notice), notice);
	check(`${TOTAL - 3} units left to sort`, await rows(page) === TOTAL - 3, await rows(page));
	check('both in the last decisions: détruire',
	    (await page.locator(`#recent tr[data-unit="${D1}"] .decision`).textContent()) === 'détruire' &&
	    (await page.locator(`#recent tr[data-unit="${D2}"] .decision`).textContent()) === 'détruire');
	await shot(page, 'review');

	// What the server refuses, and says why.
	const csrf = await page.inputValue('form.logout input[name=csrf]');
	let r = await post(ctx, '/ui/review', [['csrf', csrf], ['decision', 'destroy'], ['unit', HOLD_UNIT], ['comment', ' ']]);
	let body = await r.text();
	check('a decision without motivation: 400, said on the page',
	    r.status() === 400 && /motivation de la décision est obligatoire/.test(body) &&
	    body.includes(`id="u-${HOLD_UNIT}" checked`), r.status());
	r = await post(ctx, '/ui/review', [['csrf', csrf], ['decision', 'keep'], ['comment', 'x']]);
	check('a decision without any unit: 400', r.status() === 400 && /Cochez au moins une unité/.test(await r.text()), r.status());
	r = await post(ctx, '/ui/review', [['csrf', csrf], ['decision', 'keep'], ['unit', KEEP], ['unit', KEEP2],
	    ['comment', 'le document suit son dossier']]);
	body = await r.text();
	check('a decision partly refused: the page says which unit and why',
	    r.status() === 200 && /1 décision\(s\)/.test(body) && /1 refusée\(s\)/.test(body) &&
	    new RegExp(`data-unit="${KEEP}"[^]*n'est plus à trier \\(âge actuel :\\s*définitive\\)`).test(body), body.slice(0, 300));
	r = await post(ctx, '/ui/review', [['csrf', csrf], ['decision', 'keep'], ['unit', KEEP], ['comment', 'x']]);
	check('a decision wholly refused: 409', r.status() === 409, r.status());
	r = await post(ctx, '/ui/review/other', [['csrf', csrf]]);
	check('an unknown action under /ui/review: 404', r.status() === 404, r.status());

	// Gels: the menu leads there; "Geler" on a line of À trier fills the unit in.
	await page.getByRole('navigation', { name: 'Menu principal' }).getByRole('link', { name: 'Gels' }).click();
	await page.waitForURL(`${URL}/ui/holds`);
	check('the menu leads to "Gels", none active yet',
	    (await page.textContent('h1')).trim() === 'Gels' && await page.locator('#no-active').count() === 1);
	await page.goto(`${URL}/ui/review`);
	await page.locator(`#review tr[data-unit="${HOLD_UNIT}"]`).getByRole('link', { name: 'Geler « s3 »' }).click();
	await page.waitForURL(`${URL}/ui/holds?unit=${HOLD_UNIT}#place`);
	check('"Geler" on a line of À trier opens the hold form with the unit filled in',
	    await page.inputValue('#hold-unit') === HOLD_UNIT, await page.inputValue('#hold-unit'));
	await page.getByLabel("Identifiant de l'unité (obligatoire)").fill(` ${HOLD_UNIT} `);
	await page.getByLabel('Motif du gel (obligatoire)').fill('contentieux <i>TA</i> & co');
	await page.getByLabel(/^Référence/).fill('TA-Paris-2035-0042');
	await page.getByLabel(/^Fin du gel/).fill('2036-06-30');
	await Promise.all([page.waitForURL(/\/ui\/holds\?placed=/),
	    page.getByRole('button', { name: 'Poser le gel' }).click()]);
	const hold = new globalThis.URL(page.url()).searchParams.get('placed');
	notice = await page.textContent('#notice');
	check('the hold is placed, the page says on which unit', /Gel posé sur « s3 »/.test(notice), notice);
	const row = page.locator(`#active-holds tr[data-hold="${hold}"]`);
	check('it is listed as active with its unit link, reason, reference, end and author',
	    await row.locator(`a[href="/ui/units/${HOLD_UNIT}"]`).count() === 1 &&
	    (await row.locator('.reason').textContent()) === 'contentieux <i>TA</i> & co' &&
	    (await row.locator('.reference').textContent()) === 'TA-Paris-2035-0042' &&
	    (await row.textContent()).includes('2036-06-30') &&
	    (await row.locator('.placed-by').textContent()) === 'arch' &&
	    (await page.locator('main i').count()) === 0);
	bad = await a11y(page);
	check('holds: every field has a label, tables a caption, th a scope', bad.length === 0, bad.join('; '));
	await shot(page, 'holds');
	await page.goto(`${URL}/ui/review`);
	check('À trier shows the unit as held', (await page.locator(`#review tr[data-unit="${HOLD_UNIT}"] td`).last().textContent()).trim() === 'gelée');
	await page.goto(`${URL}/ui/holds`);

	// Errors, shown next to the form, with what was typed kept.
	await page.getByLabel("Identifiant de l'unité (obligatoire)").fill('INCONNUE');
	await page.getByLabel('Motif du gel (obligatoire)').fill('audit');
	const [resp] = await Promise.all([page.waitForNavigation(),
	    page.getByRole('button', { name: 'Poser le gel' }).click()]);
	const err = await page.textContent('#place-error').catch(() => '');
	check('a hold on an unknown unit: 404, the error names it, the reason is kept',
	    resp.status() === 404 && /Aucune unité « INCONNUE »/.test(err) &&
	    await page.inputValue('#hold-reason') === 'audit', `${resp.status()} ${err}`);
	r = await post(ctx, '/ui/holds', [['csrf', csrf], ['unit', HOLD_UNIT], ['reason', 'x'], ['until', '2035-01-31']]);
	check('an end date already past: 400', r.status() === 400 && /postérieure à aujourd'hui/.test(await r.text()), r.status());
	r = await post(ctx, '/ui/holds', [['csrf', csrf], ['unit', HOLD_UNIT], ['reason', '  ']]);
	check('a hold without reason: 400', r.status() === 400 && /motif du gel est obligatoire/.test(await r.text()), r.status());
	r = await post(ctx, `/ui/holds/${hold}/lift`, [['csrf', csrf], ['reason', '']]);
	check('lifting without reason: 400, and the hold stays active',
	    r.status() === 400 && /levée du gel est obligatoire/.test(await r.text()), r.status());
	r = await post(ctx, '/ui/holds/nonsense', [['csrf', csrf]]);
	check('an unknown action under /ui/holds: 404', r.status() === 404, r.status());

	// Lift it, with a reason.
	await page.goto(`${URL}/ui/holds`);
	const active = page.locator(`#active-holds tr[data-hold="${hold}"]`);
	await active.getByLabel(/Motif de la levée/).fill('affaire classée');
	await Promise.all([page.waitForURL(`${URL}/ui/holds?lifted=${hold}`),
	    active.getByRole('button', { name: /Lever le gel/ }).click()]);
	notice = await page.textContent('#notice');
	check('the hold is lifted, the page says so', /Gel levé sur « s3 »/.test(notice), notice);
	const ended = page.locator(`#ended-holds tr[data-hold="${hold}"]`);
	check('no active hold left; it is listed as lifted, by arch, with the reason',
	    await page.locator('#no-active').count() === 1 &&
	    (await ended.locator('.lift-reason').textContent()) === 'affaire classée' &&
	    (await ended.locator('.by').textContent()) === 'arch');
	r = await post(ctx, `/ui/holds/${hold}/lift`, [['csrf', csrf], ['reason', 'encore']]);
	check('lifting it again: 404, said on the page', r.status() === 404 && /Aucun gel actif/.test(await r.text()), r.status());
	await ctx.close();

	// An auditor sees both pages, without forms; their POSTs get 403.
	ctx = await browser.newContext({ locale: 'fr-FR' });
	({ page } = await signIn(ctx, env.SAE_AUD));
	await page.goto(`${URL}/ui/review`);
	check('the auditor sees the units awaiting review, without any form',
	    await rows(page) === TOTAL - 4 &&
	    await page.locator('form#decide, input[name=unit], input[name=decision]').count() === 0, await rows(page));
	const acsrf = await page.inputValue('form.logout input[name=csrf]');
	r = await post(ctx, '/ui/review', [['csrf', acsrf], ['decision', 'destroy'], ['unit', HOLD_UNIT], ['comment', 'x']]);
	check('an auditor posting a decision with a valid CSRF token gets 403', r.status() === 403, r.status());
	await page.goto(`${URL}/ui/holds`);
	check('the auditor sees the holds, without any form',
	    await page.locator(`#ended-holds tr[data-hold="${hold}"]`).count() === 1 &&
	    await page.locator('form#place, form.lift').count() === 0);
	r = await post(ctx, '/ui/holds', [['csrf', acsrf], ['unit', HOLD_UNIT], ['reason', 'x']]);
	check('an auditor placing a hold gets 403', r.status() === 403, r.status());
	r = await post(ctx, `/ui/holds/${hold}/lift`, [['csrf', acsrf], ['reason', 'x']]);
	check('an auditor lifting a hold gets 403', r.status() === 403, r.status());
	await ctx.close();
});
