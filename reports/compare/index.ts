/** The compare renderers, one per format; all are pure functions of a CompareReport. */
export { renderCompareTerminal } from './terminal.js'
export { renderCompareMarkdown } from './markdown.js'
export { renderCompareJson } from './json.js'
export { renderCompareJunit } from './junit.js'
