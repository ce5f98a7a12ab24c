// The Runtime interface is defined next to the pool core that consumes it (the core may not
// import from runtime/); implementations import it from here.
export type {
  ClaimRecord,
  Container,
  ContainerPhase,
  CreateOptions,
  Profile,
  Runtime,
} from '../pool/runtime-port.js';
