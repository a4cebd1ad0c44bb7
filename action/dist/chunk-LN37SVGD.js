import{__commonJS}from"./chunk-A3OMQZ6U.js";var require_buffer=__commonJS({"builtin:buffer"(exports,module){module.exports=process.getBuiltinModule("node:buffer")}});export{require_buffer};
