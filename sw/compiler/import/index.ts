// Model files by extension to the importer that reads them. Another format registers itself here
// (one line in IMPORTERS).

import { extname } from 'path';
import { CompileError, Graph } from '../ir';
import { importOnnxFile } from './onnx';
import { importTfliteFile } from './tflite';

export const IMPORTERS: Record<string, (path: string) => Graph> = {
  '.onnx': importOnnxFile,
  '.tflite': importTfliteFile,
};

export function importModel(path: string): Graph {
  const ext = extname(path).toLowerCase();
  const importer = IMPORTERS[ext];
  if (!importer) throw new CompileError(`${path}: unknown model format ${ext || '(no extension)'}; known: ${Object.keys(IMPORTERS).join(', ')}`);
  return importer(path);
}
