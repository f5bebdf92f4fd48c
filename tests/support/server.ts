// Moved to common/kit/server.ts: the kit's commands use it too, and they never import tests/.
export * from '../../common/kit/server';
