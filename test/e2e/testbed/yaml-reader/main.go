// yaml-reader reads YAML documents the way kubectl and the API server do,
// with sigs.k8s.io/yaml (go-yaml v2 underneath, YAML 1.1 resolution), at the
// versions kubeseal's go.mod selects (install.sh builds it so). It is the
// reference of ksec's differential manifest-reader test
// (test/e2e/manifest/yaml11-differential.test.ts).
//
// Protocol, one line per document, so one process reads many:
//
//	stdin:  a JSON string: the text of one YAML document
//	stdout: {"ok":true,"json":<the document as JSON>,"typed":""}
//	        {"ok":true,"json":...,"typed":"<error>"} when the JSON does not
//	          decode into the field types Kubernetes gives a Secret's or
//	          ConfigMap's data, and every object's annotations and labels
//	        {"ok":false,"error":"<error>"} when sigs.k8s.io/yaml refuses it
//
// The document is converted with yaml.YAMLToJSONStrict, the strict reading
// kubectl and the API server apply (duplicate keys, also through merge keys,
// are errors).
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"

	"sigs.k8s.io/yaml"
)

type result struct {
	OK    bool            `json:"ok"`
	JSON  json.RawMessage `json:"json,omitempty"`
	Typed *string         `json:"typed,omitempty"`
	Error string          `json:"error,omitempty"`
}

// object holds the fields whose value types ksec checks as the API server
// does: ObjectMeta.Name and Namespace are strings, ObjectMeta.Annotations and
// Labels map[string]string, so are
// ConfigMap.Data and Secret.StringData; Secret.Data and ConfigMap.BinaryData
// are map[string][]byte, which JSON carries as (base64) strings.
type object struct {
	APIVersion interface{} `json:"apiVersion"`
	Kind       interface{} `json:"kind"`
	Metadata   *struct {
		Name        string            `json:"name"`
		Namespace   string            `json:"namespace"`
		Annotations map[string]string `json:"annotations"`
		Labels      map[string]string `json:"labels"`
	} `json:"metadata"`
}

type secretData struct {
	Data       map[string]string `json:"data"`
	StringData map[string]string `json:"stringData"`
}

type configMapData struct {
	Data       map[string]string `json:"data"`
	BinaryData map[string]string `json:"binaryData"`
}

// typed is the error of decoding the document into those field types, "" when
// they fit (or the document is not a JSON object).
func typed(doc []byte) string {
	var probe map[string]json.RawMessage
	if json.Unmarshal(doc, &probe) != nil {
		return ""
	}
	var meta struct {
		Metadata json.RawMessage `json:"metadata"`
	}
	_ = json.Unmarshal(doc, &meta)
	var o object
	if len(meta.Metadata) > 0 && meta.Metadata[0] == '{' {
		if err := json.Unmarshal(doc, &o); err != nil {
			return err.Error()
		}
	} else {
		_ = json.Unmarshal(doc, &struct {
			APIVersion *interface{} `json:"apiVersion"`
			Kind       *interface{} `json:"kind"`
		}{&o.APIVersion, &o.Kind})
	}
	if o.APIVersion != "v1" {
		return ""
	}
	var err error
	switch o.Kind {
	case "Secret":
		err = json.Unmarshal(doc, &secretData{})
	case "ConfigMap":
		err = json.Unmarshal(doc, &configMapData{})
	}
	if err != nil {
		return err.Error()
	}
	return ""
}

func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 64<<20)
	out := bufio.NewWriter(os.Stdout)
	enc := json.NewEncoder(out)
	for in.Scan() {
		var text string
		if err := json.Unmarshal(in.Bytes(), &text); err != nil {
			fmt.Fprintln(os.Stderr, "yaml-reader: each input line must be a JSON string:", err)
			os.Exit(2)
		}
		var r result
		j, err := yaml.YAMLToJSONStrict([]byte(text))
		if err != nil {
			r = result{OK: false, Error: err.Error()}
		} else {
			t := typed(j)
			r = result{OK: true, JSON: j, Typed: &t}
		}
		if err := enc.Encode(r); err != nil {
			fmt.Fprintln(os.Stderr, "yaml-reader:", err)
			os.Exit(1)
		}
	}
	if err := in.Err(); err != nil {
		fmt.Fprintln(os.Stderr, "yaml-reader:", err)
		os.Exit(1)
	}
	if err := out.Flush(); err != nil {
		os.Exit(1)
	}
}
