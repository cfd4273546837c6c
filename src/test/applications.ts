import { randomBytes } from 'node:crypto';
import type { SubmitInput } from '../modules/sellers/index.js';

/**
 * A seller application's form: a self-fulfilled US outdoor company with a new name, registration
 * and tax id (so no two look like one company), a contact and one warehouse; `over` replaces fields.
 */
export function applicationForm(invitationCode: string, documentIds: string[], over: Partial<SubmitInput> = {}): SubmitInput {
  const unique = randomBytes(4).toString('hex').toUpperCase();
  return {
    invitation_code: invitationCode,
    mode: 'self_fulfilled',
    company_name: `Trail Gear ${unique} Inc.`,
    registration_number: `REG-${unique}`,
    tax_id: `TAX-${unique}`,
    contact: { name: 'Dana Applicant', email: 'dana@trailgear.example', phone: '+1 555 0100' },
    category: 'outdoor',
    yearly_sales: { amount: 250_000_000, currency: 'USD', marketplace: 'Amazon US' },
    warehouses: [{ name: 'Newark DC', address: { line1: '1 Port St', city: 'Newark', region: 'NJ', postal_code: '07102', country: 'US' } }],
    document_ids: documentIds,
    ...over,
  };
}
