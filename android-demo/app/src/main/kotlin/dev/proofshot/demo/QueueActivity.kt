package dev.proofshot.demo

import android.app.Activity
import android.content.ClipData
import android.content.ClipboardManager
import android.content.Context
import android.content.Intent
import android.os.Bundle
import android.widget.LinearLayout
import android.widget.ScrollView
import android.widget.TextView
import dev.proofshot.PendingRecord

/**
 * The evidence queue: the records waiting for upload (`pendingRecords`), marking them uploaded
 * as a backend would after receiving them, the whole chain exported (`exportJsonl`) through the
 * share sheet, and the signer's public key, so a backend can run
 * `proofshot audit --public-key key.pem export.jsonl` on what was shared.
 */
class QueueActivity : Activity() {
    private val app get() = application as DemoApp
    private lateinit var list: LinearLayout
    private lateinit var message: TextView
    private var pending: List<PendingRecord> = emptyList()

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        title = getString(R.string.evidence)
        message = TextView(this)
        list = LinearLayout(this).apply { orientation = LinearLayout.VERTICAL }
        val key = TextView(this).apply { setTextIsSelectable(true); textSize = 11f; typeface = android.graphics.Typeface.MONOSPACE }
        val column = LinearLayout(this).apply {
            orientation = LinearLayout.VERTICAL
            setPadding(24, 24, 24, 24)
            addView(message)
            addView(button(R.string.mark_uploaded) { markUploaded() })
            addView(button(R.string.export_chain) { export() })
            addView(TextView(context).apply { setText(R.string.public_key) })
            addView(key)
            addView(button(R.string.copy_key) { copy(key.text.toString()) })
            addView(list)
        }
        setContentView(ScrollView(this).apply { addView(column) })
        background({ app.signer.publicKeyPem() }) { key.text = it }
        refresh()
    }

    private fun refresh() = background({ app.store().pendingRecords(PAGE) }) { records ->
        pending = records
        message.text = getString(R.string.pending_count, records.size)
        list.removeAllViews()
        for (r in records) {
            list.addView(TextView(this).apply {
                text = "#${r.seq} ${r.recordId}\n${r.json.take(240)}…"
                textSize = 11f
                setPadding(0, 12, 0, 12)
            })
        }
    }

    private fun markUploaded() {
        val ids = pending.map { it.recordId }
        if (ids.isEmpty()) return
        background({ app.store().markUploaded(ids) }) { n ->
            message.text = getString(R.string.marked, n.toInt())
            refresh()
        }
    }

    private fun export() = background({ ExportProvider.write(this, "evidence-chain.jsonl", app.store().exportJsonl()) }) { uri ->
        val send = Intent(Intent.ACTION_SEND)
            .setType("text/plain")
            .putExtra(Intent.EXTRA_STREAM, uri)
            .addFlags(Intent.FLAG_GRANT_READ_URI_PERMISSION)
        startActivity(Intent.createChooser(send, getString(R.string.export_chain)))
    }

    private fun copy(text: String) {
        val clipboard = getSystemService(Context.CLIPBOARD_SERVICE) as ClipboardManager
        clipboard.primaryClip = ClipData.newPlainText("ProofShot public key", text)
    }

    /** [onWorker], its error shown in the message line. */
    private fun <T> background(work: () -> T, done: (T) -> Unit) = onWorker(work, { message.text = it }, done = done)

    private companion object {
        const val PAGE = 200u
    }
}
