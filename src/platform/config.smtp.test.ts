import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';

describe('email configuration (LOOPSHOP_SMTP_*, LOOPSHOP_PUBLIC_URL)', () => {
  it('is off without a host, and on with its defaults or the values given', () => {
    expect(loadConfig({}).smtp).toBeUndefined();
    expect(loadConfig({ HOST: '0.0.0.0', PORT: '8080' }).publicUrl).toBe('http://0.0.0.0:8080');
    expect(loadConfig({ LOOPSHOP_SMTP_HOST: 'mail.example.com' }).smtp).toEqual({ host: 'mail.example.com', port: 587, user: undefined, password: undefined, from: 'Loopshop <no-reply@mail.example.com>' });
    const full = loadConfig({
      LOOPSHOP_SMTP_HOST: 'smtp.example.com',
      LOOPSHOP_SMTP_PORT: '465',
      LOOPSHOP_SMTP_USER: 'shop',
      LOOPSHOP_SMTP_PASSWORD: 'secret',
      LOOPSHOP_SMTP_FROM: 'Shop <hi@example.com>',
      LOOPSHOP_PUBLIC_URL: 'https://shop.example.com/',
    });
    expect(full.smtp).toEqual({ host: 'smtp.example.com', port: 465, user: 'shop', password: 'secret', from: 'Shop <hi@example.com>' });
    expect(full.publicUrl).toBe('https://shop.example.com');
  });

  it('refuses a port that is not a number', () => {
    expect(() => loadConfig({ LOOPSHOP_SMTP_HOST: 'mail.example.com', LOOPSHOP_SMTP_PORT: 'twenty-five' })).toThrow(/LOOPSHOP_SMTP_PORT/);
  });
});
