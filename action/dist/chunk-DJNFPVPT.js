var LineIndex=class{starts=[0];constructor(text){for(let i=text.indexOf(`
`);i!==-1;i=text.indexOf(`
`,i+1))this.starts.push(i+1)}position(offset){let lo=0,hi=this.starts.length-1;for(;lo<hi;){let mid=lo+hi+1>>1;this.starts[mid]<=offset?lo=mid:hi=mid-1}return{line:lo+1,column:offset-this.starts[lo]+1}}lineStart(line){return this.starts[Math.min(Math.max(line-1,0),this.starts.length-1)]}};export{LineIndex};
