-- Decision 006: only non-negative accounts (escrow, seller_payable, creator_payable,
-- payouts_in_transit) keep a cached balance; the others (buyer_funds, platform_commission, …)
-- derive theirs from their postings and keep 0 in the column, so no payment locks them.
UPDATE "ledger_accounts" SET "balance" = 0
WHERE split_part("account", ':', 1) NOT IN ('escrow', 'seller_payable', 'creator_payable', 'payouts_in_transit');
