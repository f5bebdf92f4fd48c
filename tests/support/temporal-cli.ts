// Moved to common/kit/temporal-cli.ts: the kit's commands use it too, and they never import tests/.
export * from '../../common/kit/temporal-cli';
