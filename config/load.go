package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Duration is a time.Duration written in YAML as "168h", "30m" or "30s".
type Duration struct{ time.Duration }

// UnmarshalYAML parses the duration; a bad value is reported with its line
// and the other problems in the file are still collected.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	v, err := time.ParseDuration(strings.TrimSpace(n.Value))
	if n.Kind != yaml.ScalarNode || err != nil {
		return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: %q is not a duration; use e.g. 168h, 30m or 30s", n.Line, n.Value)}}
	}
	d.Duration = v
	return nil
}

// MarshalYAML writes the duration in the form UnmarshalYAML reads.
func (d Duration) MarshalYAML() (any, error) { return d.String(), nil }

// UnmarshalYAML fills the default reminder, grace and escalation days
// before decoding, so an obligation listed without them gets the defaults.
func (o *Obligation) UnmarshalYAML(n *yaml.Node) error {
	type plain Obligation // no methods: avoids recursion
	p := plain{ReminderDays: defaultReminderDays, GraceDays: defaultGraceDays, EscalateAfterDays: defaultEscalateDays}
	if err := n.Decode(&p); err != nil {
		return err
	}
	*o = Obligation(p)
	return nil
}

// Load reads the YAML file at path (none when path is ""), applies the
// environment from getenv (nil means none) and validates. Every problem is
// reported, each prefixed with the file name.
func Load(path string, getenv func(string) string) (*Config, error) {
	var data []byte
	if path != "" {
		var err error
		if data, err = os.ReadFile(path); err != nil {
			return nil, fmt.Errorf("read config: %w", err)
		}
	}
	c, errs := parse(data, getenv)
	if len(errs) > 0 {
		if path != "" {
			for i, e := range errs {
				errs[i] = fmt.Errorf("%s: %w", path, e)
			}
		}
		return nil, errors.Join(errs...)
	}
	return c, nil
}

// Parse is Load for YAML already in memory.
func Parse(data []byte, getenv func(string) string) (*Config, error) {
	c, errs := parse(data, getenv)
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return c, nil
}

func parse(data []byte, getenv func(string) string) (*Config, []error) {
	c := Default()
	errs := decode(data, c)
	errs = append(errs, c.applyEnv(getenv)...)
	if err := c.Validate(); err != nil {
		errs = append(errs, unjoin(err)...)
	}
	return c, errs
}

func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

// decode reads YAML over the defaults in c. Keys the Config has no field
// for are reported with their full path and line before decoding, so all
// unknown keys and all type errors come out together.
func decode(data []byte, c *Config) []error {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return []error{fmt.Errorf("parse config: %w", err)}
	}
	if len(doc.Content) == 0 {
		return nil // only comments
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return []error{fmt.Errorf("line %d: the configuration must be a mapping of keys (province:, database:, …)", root.Line)}
	}
	paths := map[int]string{}
	keyLines := map[int]bool{}
	var errs []error
	checkKeys(root, reflect.TypeFor[Config](), "", paths, keyLines, &errs)

	dec := yaml.NewDecoder(bytes.NewReader(data))
	// The walk above already reported unknown keys with better messages;
	// this stays as a safety net for anything the walk does not model.
	dec.KnownFields(true)
	if err := dec.Decode(c); err != nil && !errors.Is(err, io.EOF) {
		var te *yaml.TypeError
		if !errors.As(err, &te) {
			return append(errs, fmt.Errorf("parse config: %w", err))
		}
		for _, msg := range te.Errors {
			if m := notFound.FindStringSubmatch(msg); m != nil {
				if line, _ := strconv.Atoi(m[1]); keyLines[line] {
					continue
				}
			}
			errs = append(errs, errors.New(explain(msg, paths)))
		}
	}
	if dec.Decode(new(yaml.Node)) != io.EOF {
		errs = append(errs, errors.New("the file holds more than one YAML document; keep a single one (remove the extra ---)"))
	}
	return errs
}

var (
	lineMsg  = regexp.MustCompile(`^line (\d+): (.*)$`)
	notFound = regexp.MustCompile(`^line (\d+): field .* not found in type`)
	intoType = regexp.MustCompile(`into (\S+)$`)
)

// explain puts the field path into a yaml.v3 type error and says what to
// write instead.
func explain(msg string, paths map[int]string) string {
	m := lineMsg.FindStringSubmatch(msg)
	if m == nil {
		return msg
	}
	line, _ := strconv.Atoi(m[1])
	out := "line " + m[1] + ": "
	if p, ok := paths[line]; ok {
		out += p + ": "
	}
	out += m[2]
	if t := intoType.FindStringSubmatch(m[2]); t != nil {
		switch t[1] {
		case "int":
			out += "; use a whole number"
		case "float64":
			out += "; use a number such as 1.0"
		case "bool":
			out += "; use true or false"
		case "string":
			out += "; use a single text value"
		case "[]string":
			out += "; use a list such as [a@example.org, b@example.org]"
		}
	}
	return out
}

var durationType = reflect.TypeFor[Duration]()

// checkKeys walks the YAML tree along type t, reporting keys with no
// field, and records the field path of each line for later messages.
func checkKeys(n *yaml.Node, t reflect.Type, path string, paths map[int]string, keyLines map[int]bool, errs *[]error) {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	if path != "" {
		// A scalar is the most specific thing on its line; a mapping or
		// list only names the line if nothing more specific does.
		if _, ok := paths[n.Line]; !ok || n.Kind == yaml.ScalarNode {
			paths[n.Line] = path
		}
	}
	if t == durationType {
		return
	}
	switch t.Kind() {
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			return // the decoder reports the type mismatch
		}
		fields := map[string]reflect.Type{}
		var known []string
		for i := range t.NumField() {
			f := t.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
			if !f.IsExported() || name == "-" {
				continue
			}
			if name == "" {
				name = strings.ToLower(f.Name)
			}
			fields[name] = f.Type
			known = append(known, name)
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Value == "<<" { // merge key: the merged mapping is checked as this struct
				checkKeys(v, t, path, paths, keyLines, errs)
				continue
			}
			p := join(path, k.Value)
			paths[k.Line] = p
			ft, ok := fields[k.Value]
			switch {
			case ok && isNull(v) && isComposite(ft):
				*errs = append(*errs, nullComposite(k.Line, p))
			case ok:
				checkKeys(v, ft, p, paths, keyLines, errs)
			case p == "mail.smtp.password":
				keyLines[k.Line] = true
				*errs = append(*errs, fmt.Errorf("line %d: mail.smtp.password: secrets are never read from the config file; remove it and set CHUYENHOA_SMTP_PASSWORD or mail.smtp.password_file", k.Line))
			default:
				keyLines[k.Line] = true
				*errs = append(*errs, fmt.Errorf("line %d: %s: unknown key; known keys here: %s", k.Line, p, strings.Join(sorted(known), ", ")))
			}
		}
	case reflect.Map:
		if n.Kind != yaml.MappingNode {
			return
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			p := join(path, k.Value)
			paths[k.Line] = p
			if isNull(v) && isComposite(t.Elem()) {
				*errs = append(*errs, nullComposite(k.Line, p))
				continue
			}
			checkKeys(v, t.Elem(), p, paths, keyLines, errs)
		}
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			return
		}
		for i, item := range n.Content {
			checkKeys(item, t.Elem(), fmt.Sprintf("%s[%d]", path, i), paths, keyLines, errs)
		}
	}
}

// isNull reports whether n is YAML's null: "key:" with nothing after it,
// "~" or "null".
func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.Tag == "!!null"
}

// isComposite reports whether t holds entries (a section, a list or a
// map) rather than one value.
func isComposite(t reflect.Type) bool {
	if t == durationType {
		return false
	}
	switch t.Kind() {
	case reflect.Struct, reflect.Map, reflect.Slice:
		return true
	}
	return false
}

// nullComposite is the problem of a section, list or map left without a
// value. Decoding it would silently wipe the defaults: "schedule:" with
// every job commented out would schedule nothing at all, "obligations:"
// would drop every report deadline.
func nullComposite(line int, path string) error {
	return fmt.Errorf("line %d: %s: has no value, which would erase its defaults; remove the key to keep them, or write its entries under it ([] for an empty list)", line, path)
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

// applyEnv applies the CHUYENHOA_* overrides (see the package comment) and
// reads the SMTP password. It returns problems naming the variable or the
// password file.
func (c *Config) applyEnv(getenv func(string) string) []error {
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	var errs []error
	set := func(name, path string, dst *string) {
		if v := getenv(name); v != "" {
			*dst = v
			c.markOrigin(path, name)
		}
	}
	set("CHUYENHOA_DATABASE_URL", "database.url", &c.Database.URL)
	set("CHUYENHOA_TIMEZONE", "timezone", &c.Timezone)
	set("CHUYENHOA_SMTP_HOST", "mail.smtp.host", &c.Mail.SMTP.Host)
	set("CHUYENHOA_SMTP_USERNAME", "mail.smtp.username", &c.Mail.SMTP.Username)
	set("CHUYENHOA_MAIL_TRANSPORT", "mail.transport", &c.Mail.Transport)
	set("CHUYENHOA_MAIL_DIR", "mail.dir", &c.Mail.Dir)
	set("CHUYENHOA_HTTP_LISTEN", "http.listen", &c.HTTP.Listen)
	var err error
	if c.HTTP.Password, err = secret(getenv("CHUYENHOA_HTTP_PASSWORD"), "http.password_file", c.HTTP.PasswordFile, "CHUYENHOA_HTTP_PASSWORD"); err != nil {
		errs = append(errs, err)
	}
	key, err := secret(getenv("CHUYENHOA_LINK_KEY"), "http.link_key_file", c.HTTP.LinkKeyFile, "CHUYENHOA_LINK_KEY")
	if err != nil {
		errs = append(errs, err)
	}
	if key != "" {
		c.HTTP.LinkKey = []byte(key)
	}
	if v := getenv("CHUYENHOA_HTTP_ALLOW_OPEN"); v != "" {
		b, err := strconv.ParseBool(strings.TrimSpace(v))
		if err != nil {
			errs = append(errs, fmt.Errorf("CHUYENHOA_HTTP_ALLOW_OPEN: %q is not true or false", v))
		} else {
			c.HTTP.AllowOpen = b
			c.markOrigin("http.allow_open", "CHUYENHOA_HTTP_ALLOW_OPEN")
		}
	}
	if v := getenv("CHUYENHOA_SMTP_PORT"); v != "" {
		p, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil {
			errs = append(errs, fmt.Errorf("CHUYENHOA_SMTP_PORT: %q is not a port number; use 1..65535, e.g. 587", v))
		} else {
			c.Mail.SMTP.Port = p
			c.markOrigin("mail.smtp.port", "CHUYENHOA_SMTP_PORT")
		}
	}

	if v := getenv("CHUYENHOA_SMTP_PASSWORD"); v != "" {
		c.Mail.SMTP.Password = v
	} else if f := c.Mail.SMTP.PasswordFile; f != "" {
		b, err := os.ReadFile(f)
		switch {
		case err != nil:
			errs = append(errs, fmt.Errorf("mail.smtp.password_file: cannot read %s (%w); point it at a readable file holding the password, or set CHUYENHOA_SMTP_PASSWORD", f, err))
		default:
			// Editors add a final newline; it is not part of the password.
			pw := strings.TrimRight(string(b), "\r\n")
			if pw == "" {
				errs = append(errs, fmt.Errorf("mail.smtp.password_file: %s is empty; write the password into it", f))
			}
			c.Mail.SMTP.Password = pw
		}
	}
	return errs
}

func (c *Config) markOrigin(path, env string) {
	if c.origin == nil {
		c.origin = map[string]string{}
	}
	c.origin[path] = env
}

// secret is the value of a secret: env when set, else the content of the
// file at path (the setting named field), without the final newline
// editors add.
func secret(env, field, path, envName string) (string, error) {
	if env != "" || path == "" {
		return env, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("%s: cannot read %s (%w); point it at a readable file, or set %s", field, path, err, envName)
	}
	v := strings.TrimRight(string(b), "\r\n")
	if v == "" {
		return "", fmt.Errorf("%s: %s is empty; write the secret into it", field, path)
	}
	return v, nil
}
