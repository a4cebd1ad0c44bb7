import { createRequire as __ksecCreateRequire } from 'node:module'; const require = __ksecCreateRequire(import.meta.url);
import{fileError}from"./chunk-AF3VP7MB.js";import{readFile,stat}from"node:fs/promises";async function readUserText(path){try{return await readFile(path,"utf8")}catch(err){throw fileError(err,path)}}export{readUserText};
