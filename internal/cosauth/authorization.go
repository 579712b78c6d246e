package cosauth

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// The fields of a COS signature, in the order the SDK writes them.
const (
	fieldAlgorithm  = "q-sign-algorithm"
	fieldAccessKey  = "q-ak"
	fieldSignTime   = "q-sign-time"
	fieldKeyTime    = "q-key-time"
	fieldHeaderList = "q-header-list"
	fieldParamList  = "q-url-param-list"
	fieldSignature  = "q-signature"
	numFields       = 7

	// paramMerged is the query parameter of the SDK's SignMerged presigned
	// URLs: the whole Authorization value, URL-encoded.
	paramMerged = "sign"

	algorithmSHA1       = "sha1"
	authorizationPrefix = fieldAlgorithm + "="
)

// fieldNames lists the seven fields in the SDK's order.
func fieldNames() [numFields]string {
	return [numFields]string{fieldAlgorithm, fieldAccessKey, fieldSignTime, fieldKeyTime, fieldHeaderList, fieldParamList, fieldSignature}
}

func fieldIndex(name string) int {
	switch name {
	case fieldAlgorithm:
		return 0
	case fieldAccessKey:
		return 1
	case fieldSignTime:
		return 2
	case fieldKeyTime:
		return 3
	case fieldHeaderList:
		return 4
	case fieldParamList:
		return 5
	case fieldSignature:
		return 6
	}
	return -1
}

// validity is a "<start>;<end>" period in Unix seconds.
type validity struct{ start, end int64 }

// authorization is a parsed COS signature.
type authorization struct {
	accessKey string
	// signTime and keyTime are the raw values: signTime enters the string
	// to sign, keyTime the signing key.
	signTime, keyTime string
	sign, key         validity
	// headerList and paramList are the ';'-separated lower-case, encoded
	// names the client signed.
	headerList, paramList string
	signature             string
}

// authForm is where a request carries its signature in the query.
type authForm int

const (
	formNone   authForm = iota
	formQuery           // separate q-* parameters (GetPresignedURL)
	formMerged          // one sign parameter (GetPresignedURL with SignMerged)
)

// queryForm finds the presigned form of a raw query without decoding it: a
// q-sign-algorithm parameter, else a sign parameter whose value starts with
// q-sign-algorithm (the SDK leaves that prefix unescaped and writes "=" as
// %3D). Only the literal spellings the SDK writes are recognised, so that
// detection stays allocation-free.
func queryForm(rawQuery string) authForm {
	form := formNone
	for rest := rawQuery; rest != ""; {
		var param string
		param, rest, _ = strings.Cut(rest, "&")
		key, value, _ := strings.Cut(param, "=")
		switch {
		case key == fieldAlgorithm:
			return formQuery
		case key == paramMerged && strings.HasPrefix(value, fieldAlgorithm):
			form = formMerged
		}
	}
	return form
}

// fieldSet gathers the seven fields while parsing.
type fieldSet struct {
	values [numFields]string
	seen   [numFields]bool
}

// parseAuthorization parses the Authorization value form:
// q-sign-algorithm=sha1&q-ak=...&q-signature=..., fields in any order,
// each exactly once, values literal.
func parseAuthorization(s string, f flavour) (authorization, error) {
	var fs fieldSet
	for rest := s; ; {
		pair, tail, more := strings.Cut(rest, "&")
		name, value, hasValue := strings.Cut(pair, "=")
		i := fieldIndex(name)
		if !hasValue || i < 0 || fs.seen[i] {
			return authorization{}, f.errorf("the authorization field %q is malformed.", pair)
		}
		fs.values[i], fs.seen[i] = value, true
		if !more {
			break
		}
		rest = tail
	}
	return fs.authorization(f)
}

// parseQueryFields reads the seven fields from decoded q-* query parameters.
func parseQueryFields(q url.Values) (authorization, error) {
	var fs fieldSet
	for i, name := range fieldNames() {
		vs, ok := q[name]
		if !ok {
			continue
		}
		if len(vs) != 1 {
			return authorization{}, queryFlavour().errorf("the %s parameter must appear once.", name)
		}
		fs.values[i], fs.seen[i] = vs[0], true
	}
	return fs.authorization(queryFlavour())
}

// authorization validates the gathered fields.
func (fs *fieldSet) authorization(f flavour) (authorization, error) {
	for _, ok := range fs.seen {
		if !ok {
			return authorization{}, f.errorf("a COS signature requires the q-sign-algorithm, q-ak, q-sign-time, q-key-time, q-header-list, q-url-param-list and q-signature fields.")
		}
	}
	if alg := fs.values[0]; alg != algorithmSHA1 {
		return authorization{}, f.errorf("q-sign-algorithm %q is not supported; expecting %q.", alg, algorithmSHA1)
	}
	a := authorization{
		accessKey:  fs.values[1],
		signTime:   fs.values[2],
		keyTime:    fs.values[3],
		headerList: fs.values[4],
		paramList:  fs.values[5],
		signature:  fs.values[6],
	}
	if a.accessKey == "" {
		return authorization{}, f.errorf("q-ak is empty.")
	}
	var ok bool
	if a.sign, ok = parseValidity(a.signTime); !ok {
		return authorization{}, f.errorf(`q-sign-time %q is malformed; expecting "<start>;<end>" in Unix seconds, start not after end.`, a.signTime)
	}
	if a.key, ok = parseValidity(a.keyTime); !ok {
		return authorization{}, f.errorf(`q-key-time %q is malformed; expecting "<start>;<end>" in Unix seconds, start not after end.`, a.keyTime)
	}
	// Without the host the signature would hold for the same key in any
	// bucket of the signer: COS names the bucket only in the Host.
	if !slices.Contains(strings.Split(a.headerList, ";"), "host") {
		return authorization{}, f.errorf("q-header-list must include host.")
	}
	return a, nil
}

// parseValidity parses "<start>;<end>": two unsigned decimal Unix times,
// start not after end.
func parseValidity(s string) (validity, bool) {
	start, end, ok := strings.Cut(s, ";")
	if !ok {
		return validity{}, false
	}
	var v validity
	var err1, err2 error
	v.start, err1 = parseUnixSeconds(start)
	v.end, err2 = parseUnixSeconds(end)
	return v, err1 == nil && err2 == nil && v.start <= v.end
}

// parseUnixSeconds accepts 1 to 18 ASCII digits: no sign, no spaces, and
// small enough that time arithmetic cannot overflow.
func parseUnixSeconds(s string) (int64, error) {
	if len(s) == 0 || len(s) > 18 {
		return 0, strconv.ErrSyntax
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, strconv.ErrSyntax
		}
	}
	return strconv.ParseInt(s, 10, 64)
}

// listNames splits a ';'-separated name list into its distinct names,
// sorted. The SDK repeats a name once per value.
func listNames(list string) []string {
	if list == "" {
		return nil
	}
	names := strings.Split(list, ";")
	slices.Sort(names)
	return slices.Compact(names)
}
