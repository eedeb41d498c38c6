package containerd

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
)

// registriesType is what unknownKey checks a decoded registries.yaml against.
var registriesType = reflect.TypeFor[Registries]()

// Validate checks every mirror and registry configuration and returns all problems
// found, each naming its registry and field. Messages never quote a credential.
func (r Registries) Validate() error {
	var errs []error
	for _, registry := range slices.Sorted(maps.Keys(r.Mirrors)) {
		errs = append(errs, validateMirror(registry, r.Mirrors[registry])...)
	}
	for _, host := range slices.Sorted(maps.Keys(r.Configs)) {
		field := "configs[" + strconv.Quote(host) + "]"
		if host == "*" {
			errs = append(errs, fmt.Errorf("%s: name the host; a wildcard is not supported "+
				"under configs", field))
			continue
		}
		if !validHost(host) {
			errs = append(errs, fmt.Errorf("%s: not a host name with an optional port "+
				"(no scheme, no path)", field))
			continue
		}
		c := r.Configs[host]
		errs = append(errs, validateAuth(field+".auth", c.Auth)...)
		errs = append(errs, validateTLS(field+".tls", c.TLS)...)
	}
	return errors.Join(errs...)
}

// validateMirror checks a registry name and its endpoints.
func validateMirror(registry string, m Mirror) []error {
	field := "mirrors[" + strconv.Quote(registry) + "]"
	if registry == defaultHostDir {
		return []error{fmt.Errorf("%s: write \"*\" for every registry", field)}
	}
	if registry != "*" && !validHost(registry) {
		return []error{fmt.Errorf("%s: not a registry host name", field)}
	}
	var errs []error
	for i, e := range m.Endpoint {
		// The endpoint itself stays out of the messages: it may carry a password.
		field := fmt.Sprintf("%s.endpoint[%d]", field, i)
		u, err := url.Parse(endpointURL(e))
		switch {
		case err != nil:
			errs = append(errs, fmt.Errorf("%s: not a URL", field))
		case u.Scheme != "http" && u.Scheme != "https":
			errs = append(errs, fmt.Errorf("%s: scheme %q, want http or https", field, u.Scheme))
		case u.User != nil:
			errs = append(errs, fmt.Errorf("%s: credentials in the URL are not supported; "+
				"give them under configs[%q].auth", field, u.Host))
		case u.Host == "":
			errs = append(errs, fmt.Errorf("%s: no host", field))
		case u.RawQuery != "" || u.Fragment != "":
			errs = append(errs, fmt.Errorf("%s: a query or fragment is not allowed", field))
		}
	}
	return errs
}

// validateAuth checks that a names exactly one kind of credential, well formed.
func validateAuth(field string, a *AuthConfig) []error {
	if a == nil {
		return nil
	}
	kinds := 0
	for _, set := range []bool{a.Username != "", a.Auth != "", a.IdentityToken != ""} {
		if set {
			kinds++
		}
	}
	switch {
	case kinds == 0 && a.Password != "":
		return []error{fmt.Errorf("%s.password: set without username", field)}
	case kinds == 0:
		return []error{fmt.Errorf("%s: no credentials; set username and password, auth, "+
			"or identity_token", field)}
	case kinds > 1:
		return []error{fmt.Errorf("%s: set only one of username (with password), auth "+
			"and identity_token", field)}
	case a.Password != "" && a.Username == "":
		return []error{fmt.Errorf("%s.password: set without username", field)}
	}
	if a.Auth != "" {
		decoded, err := base64.StdEncoding.DecodeString(a.Auth)
		if err != nil {
			return []error{fmt.Errorf("%s.auth: not valid base64", field)}
		}
		if !strings.Contains(string(decoded), ":") {
			return []error{fmt.Errorf("%s.auth: not the base64 of username:password", field)}
		}
	}
	return nil
}

// validateTLS checks that the files of t exist, are absolute and hold what they
// should: certificates in ca_file, a matching pair in cert_file and key_file.
func validateTLS(field string, t *TLSConfig) []error {
	if t == nil {
		return nil
	}
	var errs []error
	if t.CertFile != "" && t.KeyFile == "" {
		errs = append(errs, fmt.Errorf("%s.key_file: required with cert_file", field))
	}
	if t.KeyFile != "" && t.CertFile == "" {
		errs = append(errs, fmt.Errorf("%s.cert_file: required with key_file", field))
	}
	for _, f := range []struct{ name, path string }{
		{"ca_file", t.CAFile}, {"cert_file", t.CertFile}, {"key_file", t.KeyFile},
	} {
		if err := checkFile(f.path); err != nil {
			errs = append(errs, fmt.Errorf("%s.%s: %w", field, f.name, err))
		}
	}
	if len(errs) > 0 {
		return errs
	}

	if t.CAFile != "" {
		if err := checkCAFile(t.CAFile); err != nil {
			errs = append(errs, fmt.Errorf("%s.ca_file: %w", field, err))
		}
	}
	if t.CertFile != "" {
		// The tls package's errors describe the files, never the key's bytes.
		if _, err := tls.LoadX509KeyPair(t.CertFile, t.KeyFile); err != nil {
			errs = append(errs, fmt.Errorf("%s: cert_file and key_file: %w", field, err))
		}
	}
	return errs
}

// checkFile checks that path, if set, is absolute and names a regular file.
func checkFile(path string) error {
	if path == "" {
		return nil
	}
	if !filepath.IsAbs(path) {
		return fmt.Errorf("%s: not an absolute path", path)
	}
	info, err := os.Stat(path)
	if err != nil {
		return err
	}
	if !info.Mode().IsRegular() {
		return fmt.Errorf("%s: not a regular file", path)
	}
	return nil
}

// checkCAFile checks that path holds at least one PEM certificate.
func checkCAFile(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if !x509.NewCertPool().AppendCertsFromPEM(data) {
		return fmt.Errorf("%s: no PEM certificate", path)
	}
	return nil
}

// validHost reports whether s is a host name or IP address with an optional port,
// and nothing else, so that it is safe as a directory name too.
func validHost(s string) bool {
	if s == "" || s == "." || s == ".." || strings.ContainsAny(s, `/\`) {
		return false
	}
	u, err := url.Parse("https://" + s)
	return err == nil && u.Host == s && u.User == nil && u.Path == "" && u.RawQuery == ""
}

// unknownKey returns the path of the first key of a decoded YAML value v that type t
// has no field for, or "" if there is none. Values of the wrong type are left to the
// typed decode to report.
func unknownKey(v any, t reflect.Type, path string) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	m, ok := v.(map[string]any)
	if !ok {
		return ""
	}
	switch t.Kind() {
	case reflect.Map:
		for _, k := range slices.Sorted(maps.Keys(m)) {
			if key := unknownKey(m[k], t.Elem(), path+"["+strconv.Quote(k)+"]"); key != "" {
				return key
			}
		}
	case reflect.Struct:
		for _, k := range slices.Sorted(maps.Keys(m)) {
			sub := k
			if path != "" {
				sub = path + "." + k
			}
			f, ok := fieldByJSONName(t, k)
			if !ok {
				return sub
			}
			if key := unknownKey(m[k], f.Type, sub); key != "" {
				return key
			}
		}
	}
	return ""
}

// fieldByJSONName returns the field of struct type t whose JSON name is name.
func fieldByJSONName(t reflect.Type, name string) (reflect.StructField, bool) {
	for i := range t.NumField() {
		f := t.Field(i)
		tag, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if tag == name {
			return f, true
		}
	}
	return reflect.StructField{}, false
}
