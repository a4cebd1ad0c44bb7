import{__commonJS}from"./chunk-A3OMQZ6U.js";var require_process=__commonJS({"builtin:process"(exports,module){module.exports=process.getBuiltinModule("node:process")}});export{require_process};
