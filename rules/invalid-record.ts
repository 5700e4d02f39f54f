import { createRule } from '../src/engine/rule.js';

/**
 * Raised by the engine for what ingest could not read (it has no check of its own). The reader
 * says what is wrong in `detail`; the message id says what kind of problem it is.
 */
export default createRule({
  id: 'invalid-record',
  defaultSeverity: 'error',
  evidence: 'the input row itself',
  summary: 'a row that cannot be read: not valid JSON, not an object, or not matching the record schema',
  messages: {
    unreadable: '{{detail}}',
    notObject: '{{detail}}',
    schema: '{{detail}}',
    structure: '{{detail}}',
    duplicateId: '{{detail}}',
    format: '{{detail}}',
    unsupportedFormat: '{{detail}}',
    emptyFile: '{{detail}}',
  },
});
