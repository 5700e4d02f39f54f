/**
 * The entry module of evalaudit's worker threads, and a composition root: it hands the default
 * rule set to the worker host. A library user with rules of their own writes an entry like this
 * one and passes its path as `workerModule`.
 */
import { defaultRuleSet } from '../../rules/index.js';
import { serveAuditWorker } from './worker-host.js';

serveAuditWorker(defaultRuleSet);
