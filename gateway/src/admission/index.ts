export { createAdmission, type Admission, type AdmissionConfig } from './admission.js';
export type { AdmissionTransport, RefusalReason } from './admission.js';
export { admittedCore } from './admitted-core.js';
export { budgetedTurns } from './budgeted-turns.js';
export type { Ticket } from './connection-caps.js';
