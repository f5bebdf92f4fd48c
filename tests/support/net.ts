// Moved to common/kit/net.ts: the kit's commands use it too, and they never import tests/.
export * from '../../common/kit/net';
