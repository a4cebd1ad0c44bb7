import{__commonJS}from"./chunk-A3OMQZ6U.js";var require_crypto=__commonJS({"builtin:crypto"(exports,module){module.exports=process.getBuiltinModule("node:crypto")}});export{require_crypto};
