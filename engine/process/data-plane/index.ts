/**
 * The data plane between taskmanager processes: one `DataPlaneServer` per taskmanager, whose
 * `createWriter` / `createReader` give channel ends that tasks use like local channels.
 */
export { DataPlaneServer, type DataPlaneServerOptions, type PeerStats } from './data-plane-server.ts';
export { RemoteChannelReader, RemoteChannelWriter } from './remote-channel.ts';
export { ChannelFailure } from '../../runtime/network/credit/channel-failure.ts';
export { ProtocolError, PROTOCOL_VERSION } from './frames.ts';
