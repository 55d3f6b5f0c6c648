// Package e2e holds the end-to-end test of the participants' pages in a real
// browser: Debian's Chromium, driven by infra/e2e/survey.mjs (playwright-core
// and axe-core, pinned in infra/package.json) against the real handler on
// DynamoDB Local.
package e2e
