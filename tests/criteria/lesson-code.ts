// Moved to common/kit/lesson-code.ts: the kit's commands load lessons too, and they never import tests/.
export * from '../../common/kit/lesson-code';
