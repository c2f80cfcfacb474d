// units.mjs: the "Unités" screen in a real browser: an auditor searches
// by title and by agency (the form, by keyboard-reachable labels), opens
// a document's page (rule, age, timeline, objects, history), downloads
// its object and compares the bytes' SHA-256 with what was sent, and
// downloads its proof bundle to SAE_PROOF for sae-verify
// (tests/e2e/22-ui-units.sh).  One line per check, as lib.mjs prints.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { env, URL, check, signIn, shot, scenario } from './lib.mjs';

const rows = async (page) => page.$$eval('#units tbody tr',
    (trs) => trs.map((tr) => tr.getAttribute('data-unit')));

await scenario(async (browser) => {
	const ctx = await browser.newContext({ acceptDownloads: true });
	const { page, resp } = await signIn(ctx, env.SAE_AUD);
	check('the auditor signs in', resp.status() === 200 && page.url() === `${URL}/ui/`, page.url());

	// The menu leads to the search form.
	await page.getByRole('link', { name: 'Unités', exact: true }).click();
	await page.waitForURL(`${URL}/ui/units`);
	check('the Unités page', (await page.textContent('h1')).includes('Unités'));
	const unlabeled = await page.$$eval('#search input:not([type=hidden]), #search select',
	    (els) => els.filter((e) => !e.id || !document.querySelector(`label[for="${e.id}"]`)).length);
	check('every field of the search form has its label', unlabeled === 0, unlabeled);

	// By title.
	await page.getByLabel('Titre (contient)').fill('alpha');
	await page.getByRole('button', { name: 'Rechercher' }).click();
	await page.waitForSelector('#units');
	let ids = await rows(page);
	check('search by title finds the alpha dossier', ids.includes(env.SAE_ALPHA) && ids.includes(env.SAE_DOC), ids.join(' '));
	check('and not the others', !ids.includes(env.SAE_GAMMA) && !ids.includes(env.SAE_BETA) && ids.length === 2, ids.join(' '));
	check('the title is kept in the form', await page.inputValue('#f-title') === 'alpha');
	check('the results table has a caption and header cells',
	    await page.locator('#units caption').count() === 1 &&
	    await page.locator('#units thead th[scope=col]').count() === 8 &&
	    await page.locator('#units tbody th[scope=row]').count() === 2);
	await shot(page, 'units');

	// By agency (the title cleared).
	await page.getByLabel('Titre (contient)').fill('');
	await page.getByLabel('Service producteur (identifiant)').fill('AG-B');
	await page.getByRole('button', { name: 'Rechercher' }).click();
	await page.waitForURL(/agency=AG-B/);
	ids = await rows(page);
	check('search by agency finds AG-B\'s dossier', ids.includes(env.SAE_BETA), ids.join(' '));
	check('and none of AG-A\'s', !ids.includes(env.SAE_ALPHA) && !ids.includes(env.SAE_GAMMA) && ids.length === 2, ids.join(' '));
	check('a title with markup is shown as text',
	    await page.locator('#units b').count() === 0 &&
	    (await page.textContent('#units')).includes('Dossier <b>x</b> & "q"'));

	// By age (a select).
	await page.getByLabel('Service producteur (identifiant)').fill('');
	await page.getByLabel('Âge').selectOption('definitive');
	await page.getByRole('button', { name: 'Rechercher' }).click();
	await page.waitForURL(/age=definitive/);
	check('no definitive unit yet', await page.locator('#no-result').count() === 1);

	// The document's page.
	await page.goto(`${URL}/ui/units?title=alpha`);
	await page.click(`#units a[href="/ui/units/${env.SAE_DOC}"]`);
	await page.waitForURL(`${URL}/ui/units/${env.SAE_DOC}`);
	check('the unit page names the unit', (await page.textContent('h1')).includes('alpha.txt'));
	check('with its rule', (await page.textContent('#rule')).includes('EC-02'), await page.textContent('#rule'));
	check('its age', await page.getAttribute('#age', 'data-age') === 'current', await page.getAttribute('#age', 'data-age'));
	check('its parent, linked', await page.locator(`#parent a[href="/ui/units/${env.SAE_ALPHA}"]`).count() === 1);
	check('a timeline ending at the end of the DUA and what follows',
	    /2031-01-01/.test(await page.textContent('#t-dua_end')) && /élimination/.test(await page.textContent('#t-dua_end')),
	    await page.textContent('#timeline'));
	check('the declared rule, inherited from the dossier',
	    /EC-02/.test(await page.textContent('#rules')) && /parente/.test(await page.textContent('#rules')));
	check('its object, with its digest', (await page.textContent(`#objects tr[data-object="${env.SAE_OBJ}"]`)).includes(env.SAE_SHA));
	const types = await page.$$eval('#history tbody tr', (trs) => trs.map((t) => t.getAttribute('data-type')));
	check('its history from the journal', types.length >= 2 && types.some((t) => /INGEST/.test(t)), types.join(' '));
	check('no holds', await page.locator('#no-holds').count() === 1);
	await shot(page, 'unit');

	// The object: a download of the very bytes sent.
	const [obj] = await Promise.all([
		page.waitForEvent('download'),
		page.click(`#objects a[href="/ui/objects/${env.SAE_OBJ}"]`),
	]);
	const objPath = await obj.path();
	const got = createHash('sha256').update(await readFile(objPath)).digest('hex');
	check('the object downloads with the SHA-256 of what was sent', got === env.SAE_SHA, got);
	check('named after the object', obj.suggestedFilename() === `${env.SAE_OBJ}.txt`, obj.suggestedFilename());

	// The proof bundle, saved for sae-verify.
	const [zip] = await Promise.all([
		page.waitForEvent('download'),
		page.click('#proof'),
	]);
	await zip.saveAs(env.SAE_PROOF);
	const head = (await readFile(env.SAE_PROOF)).subarray(0, 2).toString('latin1');
	check('the proof bundle downloads as a zip', head === 'PK' && zip.suggestedFilename() === `proof-${env.SAE_DOC}.zip`,
	    `${head} ${zip.suggestedFilename()}`);
	await page.reload();
	const after = await page.$$eval('#history tbody tr', (trs) => trs.map((t) => t.getAttribute('data-type')));
	check('its delivery now shows in the history', after.includes('PROOF'), after.join(' '));

	// Keyboard: the skip link comes first and leads to the content.
	await page.keyboard.press('Tab');
	check('the first Tab reaches the skip link',
	    await page.evaluate(() => document.activeElement.textContent) === 'Aller au contenu');
	await ctx.close();
});
