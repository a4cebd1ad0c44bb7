import{origin}from"./chunk-EL3E5MBN.js";import"./chunk-A3OMQZ6U.js";function renderJunit(result,rules){let byRule=new Map;for(let f of result.findings)byRule.set(f.rule,[...byRule.get(f.rule)??[],f]);let suites=[],tests=0;for(let rule of rules){let findings=byRule.get(rule.id)??[],cases=findings.map(f=>`    <testcase classname="ksec.${xml(rule.id)}" name="${xml(`${f.file}:${f.line}:${f.column}${f.commit?`@${f.commit.slice(0,12)}`:""}`)}" file="${xml(f.file)}">
      <failure type="${xml(f.severity)}" message="${xml(f.message)}">${xml(`${f.file}:${f.line}:${f.column}: ${rule.description}${origin(f)}`)}</failure>
    </testcase>`);cases.length===0&&cases.push(`    <testcase classname="ksec.${xml(rule.id)}" name="${xml(rule.name)}"/>`),tests+=cases.length,suites.push(`  <testsuite name="${xml(rule.id)}" tests="${cases.length}" failures="${findings.length}" errors="0">
${cases.join(`
`)}
  </testsuite>`)}if(result.errors.length>0){let cases=result.errors.map(e=>`    <testcase classname="ksec.errors" name="${xml(`${e.file}${e.line?`:${e.line}${e.column?`:${e.column}`:""}`:""}`)}" file="${xml(e.file)}">
      <error type="${e.level}" message="${xml(e.message)}">${xml(e.hint??"")}</error>
    </testcase>`);tests+=cases.length,suites.push(`  <testsuite name="ksec.errors" tests="${cases.length}" failures="0" errors="${cases.length}">
${cases.join(`
`)}
  </testsuite>`)}return`<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="ksec scan" tests="${tests}" failures="${result.findings.length}" errors="${result.errors.length}">
${suites.join(`
`)}
</testsuites>
`}function xml(text){return text.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g,"").replace(/&/g,"&amp;").replace(/</g,"&lt;").replace(/>/g,"&gt;").replace(/"/g,"&quot;")}export{renderJunit};
