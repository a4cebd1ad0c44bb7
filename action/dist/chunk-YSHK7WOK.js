import { createRequire as __ksecCreateRequire } from 'node:module'; const require = __ksecCreateRequire(import.meta.url);
import{MAX_ALIAS_COUNT,MAX_NESTING,QUIET_PARSE,isStackOverflow,valueShape,yamlLib,yamlProblem}from"./chunk-NWZYXUZF.js";import"./chunk-5VHTGA3Q.js";export{MAX_ALIAS_COUNT,MAX_NESTING,QUIET_PARSE,isStackOverflow,valueShape,yamlLib,yamlProblem};
