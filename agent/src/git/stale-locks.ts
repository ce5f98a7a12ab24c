// The agent's restore and link steps use the one stale-lock sweep the HTTP repo store uses too.
export { isLockFile, removeStaleLocks } from '@warmgate/contract/stale-locks';
