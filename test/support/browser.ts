import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

// Pages of the API as a person opens them: Debian's Chromium, driven by playwright-core, every request recorded and
// refused unless it goes to the API under test, every CSP violation, console error and page error kept.

const CHROMIUM = '/usr/bin/chromium';

export interface WatchedPage {
  page: Page;
  context: BrowserContext;
  /** Requests to anywhere but the API (refused). */
  outside: string[];
  /** CSP violations, console errors and uncaught page errors. */
  problems: string[];
}

// The page reports each violation event through this binding, whether or not the browser also logs one.
const REPORT_VIOLATIONS = `document.addEventListener('securitypolicyviolation', (e) =>
  window.reportViolation(e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline')));`;

export class ApiBrowser {
  private browser?: Browser;

  constructor(private readonly base: string) {}

  async open(options: { httpCredentials?: { username: string; password: string } } = {}): Promise<WatchedPage> {
    // A missing browser fails the test rather than skipping it: a skipped check reads as a passed one.
    if (!existsSync(CHROMIUM)) {
      throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium; .ci/run does)`);
    }
    this.browser ??= await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
    const context = await this.browser.newContext(options);
    const outside: string[] = [];
    const problems: string[] = [];
    const isOurs = (url: string) => url.startsWith(`${this.base}/`) || url.startsWith('data:');
    await context.route('**/*', (route) => {
      if (isOurs(route.request().url())) return route.continue();
      outside.push(route.request().url());
      return route.abort();
    });
    context.on('request', (request) => {
      if (!isOurs(request.url()) && !outside.includes(request.url())) outside.push(request.url());
    });
    const page = await context.newPage();
    await page.exposeFunction('reportViolation', (text: string) => problems.push(`CSP violation: ${text}`));
    await page.addInitScript({ content: REPORT_VIOLATIONS });
    page.on('console', (message) => {
      if (message.type() === 'error' || /content.security.policy/i.test(message.text())) {
        problems.push(`console ${message.type()}: ${message.text()}`);
      }
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    return { page, context, outside, problems };
  }

  async close(): Promise<void> {
    await this.browser?.close();
  }
}
