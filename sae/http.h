/*
 * http.h: the HTTP front: libmicrohttpd, one thread per connection (slow
 * work such as ingest runs on the connection's own thread), one route
 * table, bearer-token authentication, limits checked before any body is
 * read, bodies streamed to the spool.
 */
#ifndef SAE_HTTP_H
#define SAE_HTTP_H

#include <jansson.h>
#include <sqlite3.h>
#include <stdint.h>

#include "sae/buf.h"
#include "sae/err.h"
#include "sae/id.h"
#include "sae/token.h"

struct sae_daemon;
struct http_server;
struct ingest_stream;

/* A request as the handlers see it. */
struct http_req {
	struct MHD_Connection	*conn;
	const char		*method;
	const char		*url;
	const char		*arg;		/* the id in the path (checked), in argbuf */
	char			 argbuf[SAE_ID_LEN + 1];
	struct token_info	 who;
	sqlite3			*db;		/* a catalog connection lent for the call */
	/* body: spooled (packages) or in memory (small bodies) */
	char			 spool[4096];
	int			 spool_fd;
	struct ingest_stream	*stream;	/* or the package read as it comes */
	uint64_t		 expected;	/* Content-Length */
	uint64_t		 received;
	unsigned char		 sha256[32];
	struct sae_buf		 body;
};

struct http_resp {
	int		 status;
	const char	*content_type;	/* a constant, or type_buf */
	char		 type_buf[128];	/* a type found at run time */
	struct sae_buf	 body;
	char		 location[160];
	/* streamed object: set by api_object_get */
	struct store_reader *reader;
	uint64_t	 length;
	/* or a file: an open descriptor (given to the response) and its length */
	int		 has_fd;
	int		 fd;
	char		 filename[128];	/* Content-Disposition: attachment */
};

struct MHD_Response;

/**
 * http_reader_response(r, size): a response streaming ${size} bytes from
 * ${r} (freed with the response, or at once if NULL is returned): a
 * copy that stops matching its digest ends the stream with an error.
 */
struct MHD_Response *http_reader_response(struct store_reader *, uint64_t);

/** http_query(req, key): a query-string argument, or NULL. */
const char	*http_query(const struct http_req *, const char *);
/** http_json(resp, status, o): answers ${o} (stolen) as JSON. */
void	http_json(struct http_resp *, int, json_t *);
/**
 * http_body_json(req, resp): the request body as a JSON object (caller
 * decrefs), or NULL after answering 400 with the parser's reason.
 */
json_t	*http_body_json(struct http_req *, struct http_resp *);
/** http_fail(resp, err): answers ${err} with sae_err_http's status. */
void	http_fail(struct http_resp *, const struct sae_err *);
/** http_error(resp, status, fmt, ...): a JSON {"error": "..."} answer. */
void	http_error(struct http_resp *, int, const char *, ...)
	    __attribute__((format(printf, 3, 4)));

/**
 * http_start(out, d, port, err): listens on d->cfg.listen_host and ${port}
 * (0 picks a free one; the bound port is in *port afterwards).
 */
int	http_start(struct http_server **, struct sae_daemon *, int *,
	    struct sae_err *);
void	http_stop(struct http_server *);

#endif
