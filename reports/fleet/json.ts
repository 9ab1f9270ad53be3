/** The fleet model as JSON (schema virtcheck-fleet): hosts with identity, capabilities, cost and comparison keys. */
import type { Fleet } from '../../src/fleet/fleet-model.js'
import { jsonText } from '../format/json-text.js'

export const renderFleetJson = (f: Fleet, toolVersion: string): string =>
  jsonText({ ...f, tool: { name: 'virtcheck', version: toolVersion } }, undefined, 1)
