import { createRequire as __ksecCreateRequire } from 'node:module'; const require = __ksecCreateRequire(import.meta.url);
var VERSION="0.1.0";export{VERSION};
