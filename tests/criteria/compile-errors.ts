/**
 * Type errors in a lesson's files, as the grader reports them (file:line and the compiler's words).
 * Parsed files are kept between calls in one process: checking the next copy of a lesson parses only
 * that lesson's files, not the type definitions of Node and the Temporal SDK again.
 */
import path from 'node:path';
import ts from 'typescript';
import type { Finding } from './pitfalls';
import { listTs } from './source';

/**
 * Source files kept across programs. Files under node_modules do not change while the grader runs;
 * every other file is compared by its text, so an edit is always seen.
 */
const sourceCache = new Map<string, { text: string; format: string; file: ts.SourceFile }>();

/**
 * Declaration files read as empty stand-ins: 10 of the 15 MB a lesson's program would parse (the
 * generated protobuf types behind the SDK, webpack's types behind the worker's options). Lesson code
 * never names them; with skipLibCheck, a type that referred to them becomes `any` and reports nothing,
 * so the lesson's own errors are the same, in half the time.
 */
const STAND_INS: [RegExp, string][] = [
  [
    /[\\/]@temporalio[\\/]proto[\\/]protos[\\/]root\.d\.ts$/,
    ['coresdk', 'temporal', 'google', 'grpc', 'nexusannotations']
      .map((n) => `export declare namespace ${n} {}`)
      .join('\n'),
  ],
  [/[\\/]webpack[\\/]types\.d\.ts$/, 'declare const webpack: any;\nexport = webpack;'],
];

function cachingHost(options: ts.CompilerOptions): ts.CompilerHost {
  const host = ts.createCompilerHost(options, true);
  const create = host.getSourceFile.bind(host);
  host.getSourceFile = (fileName, languageVersionOrOptions, onError, shouldCreate) => {
    const standIn = STAND_INS.find(([pattern]) => pattern.test(fileName));
    if (standIn) return ts.createSourceFile(fileName, standIn[1], languageVersionOrOptions);
    const format = JSON.stringify(languageVersionOrOptions);
    const hit = sourceCache.get(fileName);
    const immutable = /[\\/]node_modules[\\/]/.test(fileName);
    if (hit && hit.format === format && immutable) return hit.file;
    const text = immutable ? undefined : host.readFile(fileName);
    if (hit && hit.format === format && text !== undefined && hit.text === text) return hit.file;
    const file = create(fileName, languageVersionOrOptions, onError, shouldCreate);
    if (file) sourceCache.set(fileName, { text: file.text, format, file });
    return file;
  };
  return host;
}

let lastProgram: ts.Program | undefined;

/** Type errors in the lesson's files, as file:line messages (at most 10). */
export function compileErrors(lessonDir: string, root: string): Finding[] {
  const configPath = path.join(root, 'tsconfig.json');
  const config = ts.parseJsonConfigFileContent(ts.readConfigFile(configPath, ts.sys.readFile).config, ts.sys, root);
  // Lesson code needs Node's types, not the test runner's.
  const options = { ...config.options, noEmit: true, types: ['node'] };
  const rootNames = listTs(lessonDir);
  const program = ts.createProgram({ rootNames, options, host: cachingHost(options), oldProgram: lastProgram });
  lastProgram = program;
  // Only the lesson's own files are checked: what they import is checked where it lives.
  const diagnostics = rootNames.flatMap((file) => {
    const source = program.getSourceFile(file);
    return source ? [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)] : [];
  });
  return diagnostics.slice(0, 10).map((d) => {
    const { line } = d.file!.getLineAndCharacterOfPosition(d.start ?? 0);
    return {
      kind: 'compile' as const,
      file: path.relative(root, d.file!.fileName),
      line: line + 1,
      message: `does not compile: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`,
    };
  });
}
