export { WalletPage } from './WalletPage';
export { BillingPage } from './BillingPage';
export { PayoutsAdminPage } from './PayoutsAdminPage';
