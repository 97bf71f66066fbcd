import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { locateBrowser } from './browser';

let root: string;

/** Writes an executable shell script named `name` into `dir` and returns its path. */
function fakeExecutable(dir: string, name: string, mode = 0o755): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  writeFileSync(path, '#!/bin/sh\nexit 0\n');
  chmodSync(path, mode);
  return path;
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'locate-browser-'));
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('locateBrowser', () => {
  it('honours CHROME_PATH before anything else', () => {
    const chrome = fakeExecutable(join(root, 'custom'), 'my-chrome');
    const system = fakeExecutable(join(root, 'usr-bin'), 'chromium');
    fakeExecutable(join(root, 'bin'), 'google-chrome');
    expect(locateBrowser({ CHROME_PATH: chrome, PATH: join(root, 'bin') }, [system])).toBe(chrome);
  });

  it('refuses a CHROME_PATH with no executable behind it', () => {
    const missing = join(root, 'nowhere', 'chrome');
    expect(() => locateBrowser({ CHROME_PATH: missing }, [])).toThrow(`CHROME_PATH is set to ${missing}`);
    const notExecutable = fakeExecutable(root, 'chrome-without-x', 0o644);
    expect(() => locateBrowser({ CHROME_PATH: notExecutable }, [])).toThrow(/no executable is there/);
    expect(() => locateBrowser({ CHROME_PATH: root }, [])).toThrow(/no executable is there/);
  });

  it('takes the system chromium before PATH', () => {
    const system = fakeExecutable(join(root, 'usr-bin'), 'chromium');
    fakeExecutable(join(root, 'bin'), 'google-chrome');
    expect(locateBrowser({ PATH: join(root, 'bin') }, [system])).toBe(system);
  });

  it('searches PATH in order, Chrome names before Chromium ones', () => {
    const first = join(root, 'first');
    const second = join(root, 'second');
    fakeExecutable(first, 'chromium');
    const chrome = fakeExecutable(second, 'google-chrome');
    mkdirSync(join(root, 'empty'));
    const path = [join(root, 'empty'), second, first].join(delimiter);
    expect(locateBrowser({ PATH: path }, [join(root, 'absent')])).toBe(chrome);
    expect(locateBrowser({ PATH: [first, second].join(delimiter) }, [])).toBe(join(first, 'chromium'));
  });

  it('says how to install a browser when none is found', () => {
    const bin = join(root, 'bin');
    fakeExecutable(bin, 'firefox');
    fakeExecutable(bin, 'chromium', 0o644);
    mkdirSync(join(bin, 'google-chrome'));
    expect(() => locateBrowser({ PATH: bin }, [join(root, 'absent')])).toThrow(
      /No Chrome or Chromium found\. Install one \(Debian\/Ubuntu: `sudo apt-get install chromium`.*set CHROME_PATH/,
    );
    expect(() => locateBrowser({}, [])).toThrow(/No Chrome or Chromium found/);
  });
});
