import { describe, expect, it } from 'vitest';
import { SettableClock } from '../../platform/clock.js';
import { AppError } from '../../platform/errors.js';
import { checkCard, luhnValid } from './cards.js';
import { SANDBOX_CARDS, SandboxProvider, SIGNATURE_HEADER } from './sandbox.js';

const card = (number: string, exp_year = 2030, exp_month = 12) => ({ number, exp_month, exp_year, cvc: '123' });

const code = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return e instanceof AppError ? `${e.status} ${e.code}` : String(e);
  }
  return 'ok';
};

describe('cards', () => {
  it('checks Luhn and expiry on the clock', () => {
    expect(luhnValid('4242424242424242')).toBe(true);
    expect(luhnValid('4242424242424241')).toBe(false);
    expect(luhnValid('42')).toBe(false);
    const now = new Date('2026-03-15T00:00:00Z');
    expect(checkCard(card('4242 4242 4242 4242'), now)).toBe('4242424242424242');
    expect(code(() => checkCard(card('4242-4242-4242-4241'), now))).toBe('400 invalid_card');
    expect(code(() => checkCard(card('abcd'), now))).toBe('400 invalid_card');
    // Valid through the last day of the expiry month.
    expect(code(() => checkCard(card(SANDBOX_CARDS.succeeds, 2026, 3), now))).toBe('ok');
    expect(code(() => checkCard(card(SANDBOX_CARDS.succeeds, 2026, 2), now))).toBe('402 card_expired');
  });
});

describe('sandbox provider', () => {
  const clock = new SettableClock('2026-03-02T09:00:00Z');
  const sandbox = new SandboxProvider(clock, 'whsec_test');

  it('answers by card number and derives ids from idempotency keys', async () => {
    const intent = await sandbox.createIntent({ amount: 1000, currency: 'USD', metadata: {}, idempotencyKey: 'pay_1' });
    expect(intent.id).toBe((await sandbox.createIntent({ amount: 1000, currency: 'USD', metadata: {}, idempotencyKey: 'pay_1' })).id);
    expect(await sandbox.confirm(intent.id, { card: card(SANDBOX_CARDS.succeeds) })).toEqual({ status: 'succeeded', last4: '4242' });
    expect(await sandbox.confirm(intent.id, { card: card(SANDBOX_CARDS.declined) })).toEqual({ status: 'declined', decline_code: 'card_declined', last4: '0002' });
    expect(await sandbox.confirm(intent.id, { card: card(SANDBOX_CARDS.requiresAction) })).toEqual({ status: 'requires_action', last4: '3220' });
    expect(await sandbox.completeAction(intent.id, { challenge: 'pass' })).toEqual({ status: 'succeeded' });
    expect(await sandbox.completeAction(intent.id, { challenge: 'fail' })).toEqual({ status: 'declined', decline_code: 'authentication_failed' });
    await expect(sandbox.confirm(intent.id, { card: card('4000000000000001') })).rejects.toMatchObject({ code: 'invalid_card', status: 400 });
    await expect(sandbox.confirm(intent.id, { card: card(SANDBOX_CARDS.succeeds, 2020, 1) })).rejects.toMatchObject({ code: 'card_expired', status: 402 });
    const r1 = await sandbox.refund(intent.id, 500, { idempotencyKey: 'cancel:ord_1' });
    expect((await sandbox.refund(intent.id, 500, { idempotencyKey: 'cancel:ord_1' })).refund_id).toBe(r1.refund_id);
    expect((await sandbox.refund(intent.id, 500, { idempotencyKey: 'cancel:ord_2' })).refund_id).not.toBe(r1.refund_id);
  });

  it('signs webhooks and verifies signature, body and timestamp tolerance', () => {
    const event = sandbox.event('payment.succeeded', { intent_id: 'pi_1', payment_id: 'pay_1', amount: 100, currency: 'USD' });
    const { rawBody, headers } = sandbox.sign(event);
    expect(headers[SIGNATURE_HEADER]).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(sandbox.verifyWebhook(rawBody, headers)).toEqual(event);
    expect(sandbox.verifyWebhook(Buffer.from(rawBody), headers).id).toBe(event.id);

    expect(code(() => sandbox.verifyWebhook(rawBody.replace('"amount":100', '"amount":1'), headers))).toBe('401 invalid_signature');
    expect(code(() => sandbox.verifyWebhook(rawBody, {}))).toBe('401 invalid_signature');
    expect(code(() => sandbox.verifyWebhook(rawBody, { [SIGNATURE_HEADER]: 'garbage' }))).toBe('401 invalid_signature');
    const other = new SandboxProvider(clock, 'another secret').sign(event);
    expect(code(() => sandbox.verifyWebhook(other.rawBody, other.headers))).toBe('401 invalid_signature');

    const old = sandbox.sign(event, new Date(clock.now().getTime() - 6 * 60_000));
    expect(code(() => sandbox.verifyWebhook(old.rawBody, old.headers))).toBe('401 invalid_signature');
    const recent = sandbox.sign(event, new Date(clock.now().getTime() - 4 * 60_000));
    expect(code(() => sandbox.verifyWebhook(recent.rawBody, recent.headers))).toBe('ok');

    // A well-signed body that is not an event is refused (400), never applied.
    const notJson = sandbox.signBody('not json');
    expect(code(() => sandbox.verifyWebhook(notJson.rawBody, notJson.headers))).toBe('400 invalid_json');
    const notEvent = sandbox.signBody(JSON.stringify({ id: 'evt_1', type: 'payment.exploded', data: {} }));
    expect(code(() => sandbox.verifyWebhook(notEvent.rawBody, notEvent.headers))).toBe('400 invalid_event');
  });
});
