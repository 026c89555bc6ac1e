import { describe, expect, it, vi } from 'vitest';
import { openInBrowser } from '../../cli/report.js';

describe('mlops report --open', () => {
  it('without a desktop opener, says how to view the card instead of dying with a stack trace', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    await expect(openInBrowser('/tmp/card.html', 'no-such-opener-here')).resolves.toBe(false);
    expect(errors).toHaveBeenCalledWith(
      'could not open it: no "no-such-opener-here" on this machine (no desktop?); open /tmp/card.html in a browser',
    );
    errors.mockRestore();
    await expect(openInBrowser('/tmp/card.html', 'true')).resolves.toBe(true);
  });
});
