/** The fleet model as JSON (schema virtcheck-fleet): hosts with identity, capabilities, cost and comparison keys. */
import type { Fleet } from '../../src/fleet/fleet-model.js'

export const renderFleetJson = (f: Fleet, toolVersion: string): string =>
  JSON.stringify({ ...f, tool: { name: 'virtcheck', version: toolVersion } }, null, 1) + '\n'
