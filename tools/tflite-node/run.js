// Runs a .tflite model in the real TFLite interpreter (tfjs-tflite's WASM build) under plain Node.
//   node run.js MODEL.tflite INPUTS.bin OUTPUTS.bin
// INPUTS.bin holds N clips back to back, each exactly the model's input tensor bytes (int8 for Hark models);
// OUTPUTS.bin receives the N raw output tensors back to back. One process start runs the whole batch.
// Errors go to stderr with exit code 1 (e.g. "Failed to create TFLiteWebModelRunner: INVALID_ARGUMENT").
'use strict';
const fs = require('fs');
const path = require('path');
const vm = require('vm');

// tfjs-tflite is written for browsers and web workers; this shim makes it pick its single-threaded WASM build
// and load it from disk instead of fetching it.
const wasmDir = path.join(path.dirname(require.resolve('@tensorflow/tfjs-tflite/package.json')), 'wasm') + path.sep;
delete globalThis.SharedArrayBuffer;
globalThis.self = globalThis;
self.location = { href: 'file://' + wasmDir, origin: 'file://' };
globalThis.navigator = { hardwareConcurrency: 2 };
globalThis.importScripts = (url) => {
  const jsFile = path.join(wasmDir, path.basename(url));
  vm.runInThisContext(fs.readFileSync(jsFile, 'utf8'), { filename: jsFile });
  for (const name of Object.keys(globalThis).filter((n) => n.endsWith('_ModuleFactory'))) {
    const factory = globalThis[name];
    if (factory.harkWrapped) continue;
    const wrapped = (options) => factory({ ...options, wasmBinary: fs.readFileSync(jsFile.replace(/\.js$/, '.wasm')) });
    wrapped.harkWrapped = true;
    globalThis[name] = wrapped;
  }
};

require('@tensorflow/tfjs-backend-cpu');
const tflite = require('@tensorflow/tfjs-tflite');

async function main([modelPath, inputsPath, outputsPath]) {
  if (!outputsPath) throw new Error('usage: node run.js MODEL.tflite INPUTS.bin OUTPUTS.bin');
  tflite.setWasmPath(wasmDir);
  const model = fs.readFileSync(modelPath);
  const bytes = model.buffer.slice(model.byteOffset, model.byteOffset + model.byteLength);
  const runner = (await tflite.loadTFLiteModel(bytes, { numThreads: 1 })).modelRunner;
  const [input] = runner.getInputs();
  const [output] = runner.getOutputs();
  const inputView = input.data(), outputView = output.data();
  const inLength = inputView.byteLength, outLength = outputView.byteLength;
  const inputs = fs.readFileSync(inputsPath);
  if (inputs.length === 0 || inputs.length % inLength !== 0)
    throw new Error(`${inputsPath}: ${inputs.length} bytes is not a whole number of ${inLength}-byte ${input.dataType} inputs`);
  const count = inputs.length / inLength;
  const outputs = Buffer.alloc(count * outLength);
  for (let i = 0; i < count; i++) {
    // data() is a view into WASM memory, which may move when memory grows: take fresh views per clip.
    const inBytes = new Uint8Array(input.data().buffer, input.data().byteOffset, inLength);
    inBytes.set(inputs.subarray(i * inLength, (i + 1) * inLength));
    if (!runner.infer()) throw new Error(`inference failed on input ${i}`);
    const outBytes = new Uint8Array(output.data().buffer, output.data().byteOffset, outLength);
    outputs.set(outBytes, i * outLength);
  }
  fs.writeFileSync(outputsPath, outputs);
  console.log(JSON.stringify({ count, input: { type: input.dataType, shape: input.shape }, output: { type: output.dataType, shape: output.shape } }));
}

main(process.argv.slice(2)).catch((e) => {
  console.error(`tflite-node: ${e && e.message ? e.message : e}`);
  process.exit(1);
});
