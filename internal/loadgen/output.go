package loadgen

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"
	"time"
)

// WriteText writes the report as a table for people.
func (r *Report) WriteText(w io.Writer) error {
	fmt.Fprintf(w, "cairn bench: %s bucket %s, op %s\n", r.Endpoint, r.Bucket, r.Op)
	fmt.Fprintf(w, "md5 baseline: %.1f MiB/s on one core (crypto/md5, best of %d rounds over %s)\n",
		r.MD5MiBps, md5Rounds, Size(md5Buffer))
	if len(r.Phases) > 0 {
		fmt.Fprintln(w)
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "op\tsize\tconc\tkeys\ttime\tops\tMiB/s\tops/s\tp50\tp99\tmax\terrors\tclient cpu\tserver cpu\tserver cores\tothers cpu\tserver peak rss\t")
		for _, p := range r.Phases {
			srvCPU, cores, others, rss := "-", "-", "-", "-"
			if s := p.Usage.Server; s != nil {
				srvCPU = seconds(s.CPU)
				cores = fmt.Sprintf("%.2f", s.CPU.Seconds()/p.Elapsed.Seconds())
				rss = mebibytes(s.PeakRSS)
			}
			if o, ok := p.Usage.Others(); ok {
				others = seconds(o)
			}
			fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%s\t%d\t%.1f\t%.1f\t%s\t%s\t%s\t%d\t%s\t%s\t%s\t%s\t%s\t\n",
				p.Op, Size(p.Size), p.Concurrency, p.Keys, seconds(p.Elapsed), p.Ops, p.MiBps(), p.OpsPerSecond(),
				millis(p.Latency.P50), millis(p.Latency.P99), millis(p.Latency.Max), p.Errors,
				seconds(p.Usage.Client), srvCPU, cores, others, rss)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		if f, ok := r.PutShareOfMD5(); ok {
			fmt.Fprintf(w, "\nPUT throughput is %.2f of single-core MD5 throughput (%.1f MiB/s)\n", f, r.MD5MiBps)
		}
	}
	if m := r.Multipart; m != nil {
		fmt.Fprintf(w, "\nmultipart: %s in %d parts of %s, %d in flight\n", Size(m.Size), m.Parts, Size(m.PartSize), m.Concurrency)
		fmt.Fprintf(w, "  throughput       %.1f MiB/s (%s from Create to the end of Complete)\n", m.MiBps(), seconds(m.Elapsed))
		fmt.Fprintf(w, "  parts            %s; UploadPart p50 %s, p99 %s\n", seconds(m.UploadElapsed), millis(m.PartLatency.P50), millis(m.PartLatency.P99))
		fmt.Fprintf(w, "  Complete         %s\n", millis(m.CompleteLatency))
		writeUsage(w, m.Usage)
	}
	if c := r.Complete; c != nil {
		fmt.Fprintf(w, "\ncomplete: an upload of %d parts of %s (the server must run with --min-part-size 1 for parts under 5 MiB)\n", c.Parts, Size(c.PartSize))
		fmt.Fprintf(w, "  parts (setup)    %s, %.0f parts/s with %d in flight\n", seconds(c.UploadElapsed), PerSecond(int64(c.Parts), c.UploadElapsed), c.Concurrency)
		fmt.Fprintf(w, "  ListParts        %s for %d pages of up to 1000; page p50 %s, max %s\n",
			millis(c.ListPartsElapsed), c.ListPartsPages.Count, millis(c.ListPartsPages.P50), millis(c.ListPartsPages.Max))
		fmt.Fprintf(w, "  Complete         %s\n", millis(c.CompleteLatency))
		writeUsage(w, c.Usage)
	}
	return nil
}

func writeUsage(w io.Writer, u Usage) {
	fmt.Fprintf(w, "  client cpu       %s\n", seconds(u.Client))
	if u.Server != nil {
		fmt.Fprintf(w, "  server cpu       %s, peak rss %s\n", seconds(u.Server.CPU), mebibytes(u.Server.PeakRSS))
	}
	if o, ok := u.Others(); ok {
		fmt.Fprintf(w, "  others cpu       %s (other processes and kernel threads)\n", seconds(o))
	}
}

func seconds(d time.Duration) string { return strconv.FormatFloat(d.Seconds(), 'f', 2, 64) + "s" }

func millis(d time.Duration) string {
	ms := float64(d) / float64(time.Millisecond)
	if ms < 10 {
		return strconv.FormatFloat(ms, 'f', 2, 64) + "ms"
	}
	return strconv.FormatFloat(ms, 'f', 1, 64) + "ms"
}

func mebibytes(n int64) string { return strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64) + "MiB" }

// The JSON summary: durations in seconds or milliseconds as the field
// names say, sizes in bytes.
type (
	jsonReport struct {
		Endpoint       string         `json:"endpoint"`
		Bucket         string         `json:"bucket"`
		Op             Op             `json:"op"`
		MD5MiBps       float64        `json:"md5_mib_s"`
		PutMD5Fraction *float64       `json:"put_md5_fraction,omitempty"`
		ServerPID      int            `json:"server_pid,omitempty"`
		Phases         []jsonPhase    `json:"phases,omitempty"`
		Multipart      *jsonMultipart `json:"multipart,omitempty"`
		Complete       *jsonComplete  `json:"complete,omitempty"`
		Error          string         `json:"error,omitempty"`
	}
	jsonLatency struct {
		Count  int     `json:"count"`
		MinMS  float64 `json:"min_ms"`
		MeanMS float64 `json:"mean_ms"`
		P50MS  float64 `json:"p50_ms"`
		P90MS  float64 `json:"p90_ms"`
		P99MS  float64 `json:"p99_ms"`
		MaxMS  float64 `json:"max_ms"`
	}
	// jsonUsage is embedded, so its fields sit beside the result's own.
	jsonUsage struct {
		ClientCPUSeconds  float64     `json:"client_cpu_s"`
		MachineCPUSeconds float64     `json:"machine_cpu_s"`
		OthersCPUSeconds  *float64    `json:"others_cpu_s,omitempty"`
		Server            *jsonServer `json:"server,omitempty"`
	}
	jsonServer struct {
		CPUSeconds   float64 `json:"cpu_s"`
		PeakRSSBytes int64   `json:"peak_rss_bytes"`
		RSSBytes     int64   `json:"rss_bytes"`
	}
	jsonPhase struct {
		Op           Op          `json:"op"`
		Size         int64       `json:"size_bytes"`
		Concurrency  int         `json:"concurrency"`
		Keys         int         `json:"keys"`
		Seconds      float64     `json:"seconds"`
		Ops          int64       `json:"ops"`
		Bytes        int64       `json:"bytes"`
		MiBps        float64     `json:"mib_s"`
		OpsPerSecond float64     `json:"ops_s"`
		Errors       int64       `json:"errors"`
		Latency      jsonLatency `json:"latency"`
		jsonUsage
	}
	jsonMultipart struct {
		Size          int64       `json:"size_bytes"`
		PartSize      int64       `json:"part_size_bytes"`
		Parts         int         `json:"parts"`
		Concurrency   int         `json:"concurrency"`
		Seconds       float64     `json:"seconds"`
		MiBps         float64     `json:"mib_s"`
		UploadSeconds float64     `json:"upload_seconds"`
		PartLatency   jsonLatency `json:"part_latency"`
		CompleteMS    float64     `json:"complete_ms"`
		jsonUsage
	}
	jsonComplete struct {
		Parts          int         `json:"parts"`
		PartSize       int64       `json:"part_size_bytes"`
		Concurrency    int         `json:"concurrency"`
		UploadSeconds  float64     `json:"upload_seconds"`
		ListPartsMS    float64     `json:"list_parts_ms"`
		ListPartsPages jsonLatency `json:"list_parts_pages"`
		CompleteMS     float64     `json:"complete_ms"`
		jsonUsage
		Note string `json:"note"`
	}
)

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func toJSONLatency(l LatencySummary) jsonLatency {
	return jsonLatency{Count: l.Count, MinMS: ms(l.Min), MeanMS: ms(l.Mean), P50MS: ms(l.P50), P90MS: ms(l.P90), P99MS: ms(l.P99), MaxMS: ms(l.Max)}
}

func toJSONUsage(u Usage) jsonUsage {
	out := jsonUsage{ClientCPUSeconds: u.Client.Seconds(), MachineCPUSeconds: u.Machine.Seconds()}
	if o, ok := u.Others(); ok {
		v := o.Seconds()
		out.OthersCPUSeconds = &v
	}
	if s := u.Server; s != nil {
		out.Server = &jsonServer{CPUSeconds: s.CPU.Seconds(), PeakRSSBytes: s.PeakRSS, RSSBytes: s.RSS}
	}
	return out
}

// WriteJSON writes the report as one JSON document; runErr, if not nil, is
// the error that ended the run.
func (r *Report) WriteJSON(w io.Writer, runErr error) error {
	out := jsonReport{Endpoint: r.Endpoint, Bucket: r.Bucket, Op: r.Op, MD5MiBps: r.MD5MiBps, ServerPID: r.ServerPID}
	if f, ok := r.PutShareOfMD5(); ok {
		out.PutMD5Fraction = &f
	}
	for _, p := range r.Phases {
		out.Phases = append(out.Phases, jsonPhase{
			Op: p.Op, Size: p.Size, Concurrency: p.Concurrency, Keys: p.Keys, Seconds: p.Elapsed.Seconds(),
			Ops: p.Ops, Bytes: p.Bytes, MiBps: p.MiBps(), OpsPerSecond: p.OpsPerSecond(), Errors: p.Errors,
			Latency: toJSONLatency(p.Latency), jsonUsage: toJSONUsage(p.Usage),
		})
	}
	if m := r.Multipart; m != nil {
		out.Multipart = &jsonMultipart{
			Size: m.Size, PartSize: m.PartSize, Parts: m.Parts, Concurrency: m.Concurrency, Seconds: m.Elapsed.Seconds(),
			MiBps: m.MiBps(), UploadSeconds: m.UploadElapsed.Seconds(), PartLatency: toJSONLatency(m.PartLatency),
			CompleteMS: ms(m.CompleteLatency), jsonUsage: toJSONUsage(m.Usage),
		}
	}
	if c := r.Complete; c != nil {
		out.Complete = &jsonComplete{
			Parts: c.Parts, PartSize: c.PartSize, Concurrency: c.Concurrency, UploadSeconds: c.UploadElapsed.Seconds(),
			ListPartsMS: ms(c.ListPartsElapsed), ListPartsPages: toJSONLatency(c.ListPartsPages),
			CompleteMS: ms(c.CompleteLatency), jsonUsage: toJSONUsage(c.Usage),
			Note: "parts under 5 MiB need a server started with --min-part-size 1",
		}
	}
	if runErr != nil {
		out.Error = runErr.Error()
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
