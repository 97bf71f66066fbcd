import { describe, expect, it } from 'vitest';
import { withCorsHint } from './trackingSlice';

describe('the W&B notice', () => {
  it('points a request the browser could not send to the command line', () => {
    const message = withCorsHint('W&B logging stopped: could not reach https://wandb.example (Failed to fetch). Training goes on.');
    expect(message).toContain('CORS');
    expect(message).toContain('npm run tune -- --wandb');
  });

  it('leaves answers from the server as they are', () => {
    expect(withCorsHint('W&B logging stopped: HTTP 401')).toBe('W&B logging stopped: HTTP 401');
  });
});
