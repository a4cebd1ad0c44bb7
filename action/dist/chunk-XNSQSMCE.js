import { createRequire as __ksecCreateRequire } from 'node:module'; const require = __ksecCreateRequire(import.meta.url);
import{DEFAULT_CONTROLLER_NAME,DEFAULT_CONTROLLER_NAMESPACE,openController}from"./chunk-3KE6TQ2A.js";import"./chunk-UEBRCUJ7.js";import"./chunk-5VHTGA3Q.js";export{DEFAULT_CONTROLLER_NAME,DEFAULT_CONTROLLER_NAMESPACE,openController};
