export { addReflection, healthService } from './reflection-service.js';
