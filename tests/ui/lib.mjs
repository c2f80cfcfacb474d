// lib.mjs: what the browser scenarios share: the browser (Debian's
// chromium through playwright-core from the build tree), one output line
// per check for tests/e2e/lib.sh's browser(), sign-in by the form, and
// screenshots kept as test artifacts.
import { createRequire } from 'node:module';

export const env = process.env;
export const URL = env.SAE_URL;
const require = createRequire(env.SAE_NODE_DIR + '/');
const { chromium } = require('playwright-core');

export function check(what, cond, detail) {
	console.log(cond ? `PASS\t${what}` : `FAIL\t${what}\t${detail ?? ''}`);
}

export async function launch() {
	return chromium.launch({
		executablePath: env.SAE_CHROMIUM || '/usr/bin/chromium',
		headless: true,
		args: ['--no-sandbox'],	// CI runs as root
	});
}

// Signs in with ${token} in a new page of ${ctx}: { page, resp }.
export async function signIn(ctx, token) {
	const page = await ctx.newPage();
	await page.goto(`${URL}/ui/login`);
	await page.getByLabel("Jeton d'accès").fill(token);
	const [resp] = await Promise.all([
		page.waitForNavigation(),
		page.getByRole('button', { name: 'Se connecter' }).click(),
	]);
	return { page, resp };
}

export async function shot(page, name) {
	if (env.SAE_SHOTS)
		await page.screenshot({ path: `${env.SAE_SHOTS}/${name}.png`, fullPage: true });
}

// Runs ${body}(browser); an exception is one failed check, and the
// browser is closed whatever happens.
export async function scenario(body) {
	const browser = await launch();
	try {
		await body(browser);
	} catch (e) {
		check('the browser scenario ran to its end', false,
		    String(e.stack || e).split('\n').slice(0, 4).join(' | '));
	} finally {
		await browser.close();
	}
}
