import { createRequire as __ksecCreateRequire } from 'node:module'; const require = __ksecCreateRequire(import.meta.url);
import{DEFAULT_CONTROLLER_NAME,DEFAULT_CONTROLLER_NAMESPACE,openController}from"./chunk-KQQT74WD.js";import"./chunk-AF3VP7MB.js";import"./chunk-5VHTGA3Q.js";export{DEFAULT_CONTROLLER_NAME,DEFAULT_CONTROLLER_NAMESPACE,openController};
