// PostgreSQL: a group of form submissions in one call, so the submissions that
// reach one desk process together cost one round trip and one commit. No
// subtransaction per item (a group of hundreds would overflow PostgreSQL's
// per-backend cache of them and slow every other backend's reads): a repeated
// submission id is caught by ON CONFLICT, and a group that fails as a whole is
// retried by the caller one submission at a time. The caller orders a group by
// form, so two groups in flight on two connections lock the form heads in the
// same order and cannot deadlock.
//
// Input: a JSON array of { i, sessionId, subscriberId, kind, submissionId,
// content (the form as JSON text, stored verbatim), hash (SHA-256 of its
// canonical JSON), submittedBy, submittedAt, late, onBehalfReason, audit (the
// audit detail as a JSON object text, without the version) }. Output: one row per item:
//   'replay'    the submission id was stored before: r_detail is that version's row;
//   'unchanged' the content deep-equals the latest version: r_detail is its row, nothing stored;
//   'created'   stored as r_version: r_detail names the submitter { name, role }.
// (No question marks in this text: the runner numbers them as placeholders.)
export const SUBMIT_FORMS_FUNCTION = `CREATE OR REPLACE FUNCTION desk_submit_forms(batch jsonb)
RETURNS TABLE (r_idx int, r_outcome text, r_version int, r_detail text)
LANGUAGE plpgsql AS $fn$
DECLARE
  s jsonb;
  head int;
  n int;
  stored text;
BEGIN
  FOR s IN SELECT e.value FROM jsonb_array_elements(batch) AS e LOOP
    r_idx := (s->>'i')::int;
    r_version := NULL;
    r_detail := NULL;
    stored := NULL;
    SELECT to_jsonb(x)::text, x.version INTO stored, n FROM (
      SELECT v.session_id, v.subscriber_id, v.kind, v.version, v.submission_id, v.content, v.submitted_by, v.submitted_at, v.late, v.on_behalf_reason,
             u.display_name AS submitted_by_name, u.role AS submitted_by_role
      FROM form_versions v LEFT JOIN users u ON u.id = v.submitted_by
      WHERE v.submission_id = s->>'submissionId') x;
    IF stored IS NULL THEN
      -- Creates the head or locks it: concurrent submissions of one form queue here.
      INSERT INTO form_heads AS h (session_id, subscriber_id, kind, latest_version)
        VALUES (s->>'sessionId', s->>'subscriberId', s->>'kind', 0)
        ON CONFLICT (session_id, subscriber_id, kind) DO UPDATE SET latest_version = h.latest_version
        RETURNING h.latest_version INTO head;
      IF head > 0 THEN
        SELECT to_jsonb(x)::text INTO stored FROM (
          SELECT v.session_id, v.subscriber_id, v.kind, v.version, v.submission_id, v.content, v.submitted_by, v.submitted_at, v.late, v.on_behalf_reason,
                 u.display_name AS submitted_by_name, u.role AS submitted_by_role
          FROM form_versions v LEFT JOIN users u ON u.id = v.submitted_by
          WHERE v.session_id = s->>'sessionId' AND v.subscriber_id = s->>'subscriberId' AND v.kind = s->>'kind' AND v.version = head
            AND CASE WHEN v.content_hash IS NOT NULL THEN v.content_hash = s->>'hash' ELSE v.content::jsonb = (s->>'content')::jsonb END) x;
        IF stored IS NOT NULL THEN
          r_outcome := 'unchanged'; r_version := head; r_detail := stored;
          RETURN NEXT;
          CONTINUE;
        END IF;
      END IF;
      n := head + 1;
      -- The head is locked, so the version number is free; the submission id may have
      -- been stored by a group that committed while this one waited.
      INSERT INTO form_versions (session_id, subscriber_id, kind, version, submission_id, content, content_hash, submitted_by, submitted_at, late, on_behalf_reason)
        VALUES (s->>'sessionId', s->>'subscriberId', s->>'kind', n, s->>'submissionId', s->>'content', s->>'hash', s->>'submittedBy',
                (s->>'submittedAt')::bigint, CASE WHEN (s->>'late')::boolean THEN 1 ELSE 0 END, s->>'onBehalfReason')
        ON CONFLICT (submission_id) DO NOTHING;
      IF FOUND THEN
        UPDATE form_heads SET latest_version = n
          WHERE session_id = s->>'sessionId' AND subscriber_id = s->>'subscriberId' AND kind = s->>'kind';
        INSERT INTO audit_log (at, actor, action, entity, entity_id, detail)
          VALUES ((s->>'submittedAt')::bigint, s->>'submittedBy', 'form.' || (s->>'kind') || '.submit', 'form.' || (s->>'kind'),
                  (s->>'sessionId') || '/' || (s->>'subscriberId'), '{"version":' || n || ',' || substr(s->>'audit', 2));
        SELECT jsonb_build_object('name', u.display_name, 'role', u.role)::text INTO r_detail FROM users u WHERE u.id = s->>'submittedBy';
        r_outcome := 'created'; r_version := n;
        RETURN NEXT;
        CONTINUE;
      END IF;
      SELECT to_jsonb(x)::text, x.version INTO stored, n FROM (
        SELECT v.session_id, v.subscriber_id, v.kind, v.version, v.submission_id, v.content, v.submitted_by, v.submitted_at, v.late, v.on_behalf_reason,
               u.display_name AS submitted_by_name, u.role AS submitted_by_role
        FROM form_versions v LEFT JOIN users u ON u.id = v.submitted_by
        WHERE v.submission_id = s->>'submissionId') x;
    END IF;
    r_outcome := 'replay'; r_version := n; r_detail := stored;
    RETURN NEXT;
  END LOOP;
END
$fn$`;

// Migration 9: the same function, storing each version's answers the dashboard reads
// (participate, verdict: computed by the caller from the content) beside it.
const INSERT_V5 = `INSERT INTO form_versions (session_id, subscriber_id, kind, version, submission_id, content, content_hash, submitted_by, submitted_at, late, on_behalf_reason)
        VALUES (s->>'sessionId', s->>'subscriberId', s->>'kind', n, s->>'submissionId', s->>'content', s->>'hash', s->>'submittedBy',
                (s->>'submittedAt')::bigint, CASE WHEN (s->>'late')::boolean THEN 1 ELSE 0 END, s->>'onBehalfReason')`;
const INSERT_V9 = `INSERT INTO form_versions (session_id, subscriber_id, kind, version, submission_id, content, content_hash, submitted_by, submitted_at, late, on_behalf_reason, participate, verdict)
        VALUES (s->>'sessionId', s->>'subscriberId', s->>'kind', n, s->>'submissionId', s->>'content', s->>'hash', s->>'submittedBy',
                (s->>'submittedAt')::bigint, CASE WHEN (s->>'late')::boolean THEN 1 ELSE 0 END, s->>'onBehalfReason', (s->>'participate')::int, s->>'verdict')`;
if (!SUBMIT_FORMS_FUNCTION.includes(INSERT_V5)) throw new Error('desk_submit_forms: the INSERT that migration 9 extends is not in the function');
export const SUBMIT_FORMS_FUNCTION_V9 = SUBMIT_FORMS_FUNCTION.replace(INSERT_V5, INSERT_V9);
