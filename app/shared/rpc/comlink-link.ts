/**
 * comlink over a `MessageLink`: `exposeOnLink` serves an object, `wrapLink` calls one. The
 * workbench uses both on each end of one link (service one way, events the other).
 */
import * as Comlink from 'comlink';
import { endpointFromLink, type MessageLink } from './endpoint.ts';

/** A proxy whose methods return promises of what the real ones return. */
export type Remote<T> = Comlink.Remote<T>;

/**
 * Serves `target` to the other end of `link`.
 *
 * @example
 * exposeOnLink(new WorkbenchConnection(...), link);
 */
export function exposeOnLink(target: object, link: MessageLink): void {
  Comlink.expose(target, endpointFromLink(link) as unknown as Comlink.Endpoint);
}

/**
 * A proxy for the object served at the other end of `link`.
 *
 * @example
 * const service = wrapLink<WorkbenchService>(link);
 * const notebooks = await service.listNotebooks();
 */
export function wrapLink<T>(link: MessageLink): Remote<T> {
  return Comlink.wrap<T>(endpointFromLink(link) as unknown as Comlink.Endpoint);
}
