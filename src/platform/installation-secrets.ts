import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Clock } from './clock.js';
import type { Config } from './config.js';
import type { Db } from './db.js';
import { installationSecrets } from './schema.js';

/** The webhook signing secrets of the built-in sandbox payment provider and carrier. */
export interface SandboxSecrets {
  payments: string;
  carrier: string;
}

/** Where each sandbox secret is kept in `installation_secrets` when no environment variable sets it. */
export const INSTALLATION_SECRET_NAMES = {
  payments: 'sandbox_webhook_secret',
  carrier: 'sandbox_carrier_secret',
} as const;

/**
 * The installation's own value of secret `name`: generated (32 random bytes) the first time any
 * node asks, kept in the database. `on conflict do nothing` and a read-back make every node that
 * starts at the same time agree on the first value written.
 */
export async function installationSecret(db: Db, clock: Clock, name: string): Promise<string> {
  await db
    .insert(installationSecrets)
    .values({ name, value: `whsec_${randomBytes(32).toString('hex')}`, createdAt: clock.now() })
    .onConflictDoNothing();
  const [row] = await db.select({ value: installationSecrets.value }).from(installationSecrets).where(eq(installationSecrets.name, name));
  if (!row) throw new Error(`installation secret ${name} was not stored`);
  return row.value;
}

/**
 * The sandbox secrets this process signs and verifies webhooks with: the configured ones
 * (LOOPSHOP_SANDBOX_WEBHOOK_SECRET, LOOPSHOP_SANDBOX_CARRIER_SECRET) win; otherwise the
 * installation's generated ones. There is no built-in value.
 */
export async function resolveSandboxSecrets(
  db: Db,
  clock: Clock,
  config: Pick<Config, 'sandboxWebhookSecret' | 'sandboxCarrierSecret'>,
): Promise<SandboxSecrets> {
  return {
    payments: config.sandboxWebhookSecret ?? (await installationSecret(db, clock, INSTALLATION_SECRET_NAMES.payments)),
    carrier: config.sandboxCarrierSecret ?? (await installationSecret(db, clock, INSTALLATION_SECRET_NAMES.carrier)),
  };
}
