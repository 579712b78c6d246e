package crashtest

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// Root's key pair, given to every child through its environment.
const (
	rootAccessKey = "CRASHTESTROOTKEY0001"
	rootSecretKey = "crash-test-root-secret-key-00000000000000"
)

// Deadlines. Nothing in this package waits without one.
const (
	buildTimeout   = 5 * time.Minute
	startTimeout   = 30 * time.Second
	exitTimeout    = 15 * time.Second // after SIGKILL, or SIGTERM with nothing in flight
	gcTimeout      = time.Minute
	requestTimeout = 30 * time.Second
)

// buildCairn builds cmd/cairn of the module under test into a temporary
// directory and returns the binary's path.
func buildCairn(t *testing.T) string {
	t.Helper()
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the crash test builds the cairn binary and needs the go command: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), buildTimeout)
	defer cancel()
	out, err := exec.CommandContext(ctx, goCmd, "env", "GOMOD").Output()
	if err != nil {
		t.Fatalf("go env GOMOD: %v", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		t.Fatalf("go env GOMOD: not inside a module (%q)", gomod)
	}
	bin := filepath.Join(t.TempDir(), "cairn")
	build := exec.CommandContext(ctx, goCmd, "build", "-o", bin, "./cmd/cairn")
	build.Dir = filepath.Dir(gomod)
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/cairn: %v\n%s", err, out)
	}
	return bin
}

// child is one cairn server process on a data directory.
type child struct {
	t      *testing.T
	cmd    *exec.Cmd
	Addr   string
	stderr *stderrLog
	exited chan struct{} // closed once the process has been waited for
	err    error         // the result of Wait, once exited is closed
	client *s3.Client
	tr     *http.Transport
}

// startChild starts `cairn server` on dataDir and waits until it serves.
// The process is killed when the test ends if it is still running.
func startChild(t *testing.T, bin, dataDir string, env []string) *child {
	t.Helper()
	c := &child{t: t, stderr: newStderrLog(), exited: make(chan struct{})}
	c.cmd = exec.Command(bin, "server", "--listen", "127.0.0.1:0", "--data", dataDir, "--log-level", "info")
	c.cmd.Env = append(append(os.Environ(),
		"CAIRN_ROOT_ACCESS_KEY="+rootAccessKey,
		"CAIRN_ROOT_SECRET_KEY="+rootSecretKey), env...)
	c.cmd.Stderr = c.stderr
	// If the child ever left a descendant holding stderr open, Wait would
	// block on the pipe; bound that.
	c.cmd.WaitDelay = 5 * time.Second
	dieWithParent(c.cmd)
	if err := c.cmd.Start(); err != nil {
		t.Fatalf("start cairn server: %v", err)
	}
	go func() {
		c.err = c.cmd.Wait()
		close(c.exited)
	}()
	t.Cleanup(c.cleanup)

	select {
	case addr := <-c.stderr.listen:
		c.Addr = addr
	case <-c.exited:
		t.Fatalf("cairn server exited before serving: %v\n%s", c.err, c.stderr.tail())
	case <-time.After(startTimeout):
		t.Fatalf("cairn server did not announce its address within %v\n%s", startTimeout, c.stderr.tail())
	}
	c.client, c.tr = newClient(c.Addr)
	return c
}

// cleanup kills the process if it still runs; it is registered with the
// test so that no child outlives a failed test.
func (c *child) cleanup() {
	if c.tr != nil {
		c.tr.CloseIdleConnections()
	}
	select {
	case <-c.exited:
		return
	default:
	}
	_ = c.cmd.Process.Kill()
	select {
	case <-c.exited:
	case <-time.After(exitTimeout):
		c.t.Errorf("cairn server pid %d did not exit after SIGKILL", c.cmd.Process.Pid)
	}
}

// kill sends SIGKILL to the process and waits for it to die.
func (c *child) kill() {
	c.t.Helper()
	if err := c.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		c.t.Fatalf("SIGKILL pid %d: %v", c.cmd.Process.Pid, err)
	}
	c.wait("SIGKILL")
	c.tr.CloseIdleConnections()
}

// stop sends SIGTERM and waits for a clean exit.
func (c *child) stop() {
	c.t.Helper()
	// Close the client's idle connections first: http.Server.Shutdown
	// waits up to 5 seconds for a connection that never sent a request,
	// which the transport's spare dials leave behind.
	c.tr.CloseIdleConnections()
	if err := c.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		c.t.Fatalf("SIGTERM pid %d: %v", c.cmd.Process.Pid, err)
	}
	c.wait("SIGTERM")
	if c.err != nil {
		c.t.Fatalf("cairn server did not shut down cleanly: %v\n%s", c.err, c.stderr.tail())
	}
	c.tr.CloseIdleConnections()
}

func (c *child) wait(signal string) {
	c.t.Helper()
	select {
	case <-c.exited:
	case <-time.After(exitTimeout):
		c.t.Fatalf("cairn server pid %d still running %v after %s\n%s", c.cmd.Process.Pid, exitTimeout, signal, c.stderr.tail())
	}
}

// newClient returns an aws-sdk-go-v2 client for the server at addr:
// path-style, no retries (a retry would hide a failure and blur which
// writes were acknowledged), every request bounded. Uploads keep the SDK's
// default checksums, so the server's trailer handling is under test too.
func newClient(addr string) (*s3.Client, *http.Transport) {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 32
	return s3.New(s3.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String("http://" + addr),
		UsePathStyle: true,
		Credentials:  credentials.NewStaticCredentialsProvider(rootAccessKey, rootSecretKey, ""),
		Retryer:      aws.NopRetryer{},
		HTTPClient:   &http.Client{Transport: tr, Timeout: requestTimeout},
		// The test compares every byte it reads, so the SDK's own check of
		// the response checksum adds nothing but time: its CRC64NVME is
		// pure Go, which the race detector slows a hundredfold.
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
	}), tr
}

// runGC runs `cairn gc` on dataDir and returns its output.
func runGC(t *testing.T, bin, dataDir string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), gcTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "gc", "--data", dataDir)
	cmd.WaitDelay = 5 * time.Second
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("cairn gc: %v\n%s", err, out)
	}
	return strings.TrimSpace(string(out))
}

// stderrLog receives a child's log: it announces the listen address once,
// keeps the last lines for failure messages and collects error lines.
type stderrLog struct {
	listen chan string

	mu        sync.Mutex
	partial   []byte
	lines     []string // the last maxTail lines
	errors    []string // every error line
	announced bool
}

const maxTail = 60

var listenRE = regexp.MustCompile(`msg="cairn serving S3".* listen=(\S+)`)

func newStderrLog() *stderrLog { return &stderrLog{listen: make(chan string, 1)} }

func (s *stderrLog) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.partial = append(s.partial, p...)
	for {
		line, rest, ok := bytes.Cut(s.partial, []byte("\n"))
		if !ok {
			break
		}
		s.line(string(line))
		s.partial = rest
	}
	return len(p), nil
}

func (s *stderrLog) line(l string) {
	if len(s.lines) == maxTail {
		s.lines = s.lines[1:]
	}
	s.lines = append(s.lines, l)
	// Errors, and reports of a server built with -race or dying of a panic.
	if strings.Contains(l, "level=ERROR") || strings.HasPrefix(l, "WARNING: DATA RACE") || strings.HasPrefix(l, "panic: ") {
		s.errors = append(s.errors, l)
	}
	if m := listenRE.FindStringSubmatch(l); m != nil && !s.announced {
		s.announced = true
		s.listen <- m[1]
	}
}

// tail returns the last lines of the log.
func (s *stderrLog) tail() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return "server log (last lines):\n  " + strings.Join(s.lines, "\n  ")
}

// errorLines returns the error lines logged so far.
func (s *stderrLog) errorLines() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.errors)
}

// errNoResponse reports whether err is a transport failure: no HTTP
// response arrived at all, which is what a kill causes. The SDK reports
// those as response errors with status 0.
func errNoResponse(err error) bool {
	var re interface{ HTTPStatusCode() int }
	return err != nil && (!errors.As(err, &re) || re.HTTPStatusCode() == 0)
}
