package dev.proofshot.demo

import android.app.Activity
import android.graphics.Color
import android.os.Bundle
import android.widget.Button
import android.widget.LinearLayout
import android.widget.ScrollView
import android.widget.TextView
import dev.proofshot.demo.logic.NextStep

/**
 * The verdict: the category in the policy's colour, the photo with its boxes, every criterion
 * with pass/fail, score and reason in the driver's words, the decision (accepted; retry with
 * the attempts left; manual review; approved), the time taken, and the redacted copy that would
 * be uploaded beside the original.
 */
class ResultActivity : Activity() {
    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        val shown = (application as DemoApp).shown ?: return finish()
        val screen = shown.screen
        val column = LinearLayout(this).apply { orientation = LinearLayout.VERTICAL; setPadding(24, 24, 24, 24) }
        column.addView(TextView(this).apply {
            text = screen.title
            textSize = 26f
            setTextColor(runCatching { Color.parseColor(screen.color) }.getOrDefault(Color.DKGRAY))
        })
        column.addView(text(screen.headline, 18f))
        column.addView(text(screen.decision, 18f))

        val photos = LinearLayout(this).apply { orientation = LinearLayout.HORIZONTAL }
        val original = BoxImageView(this).apply { show(shown.photo, screen.boxes) }
        photos.addView(original, LinearLayout.LayoutParams(0, -2, 1f))
        column.addView(photos)
        val redacted = shown.redacted
        if (redacted != null) {
            column.addView(Button(this).apply {
                setText(R.string.show_redacted)
                setOnClickListener {
                    isEnabled = false
                    // the copy the app uploads: faces pixelated, orientation applied, no metadata
                    photos.addView(BoxImageView(this@ResultActivity).apply { show(redacted, emptyList()) },
                        LinearLayout.LayoutParams(0, -2, 1f))
                }
            })
        }
        for (row in screen.rows) {
            val mark = if (row.passed) "✓" else "✗"
            val optional = if (row.required) "" else " (reported only)"
            column.addView(text("$mark ${row.label}$optional · ${row.score}\n   ${row.reason}", 16f).apply {
                setTextColor(if (row.passed) 0xff15803d.toInt() else 0xffb91c1c.toInt())
            })
        }
        column.addView(text(screen.time, 14f))
        screen.recordId?.let { column.addView(text(getString(R.string.record_id, it), 12f)) }
        column.addView(Button(this).apply {
            setText(if (screen.next == NextStep.RETRY) R.string.retake else R.string.done)
            setOnClickListener { finish() }
        })
        setContentView(ScrollView(this).apply { addView(column) })
    }

    private fun text(s: String, size: Float) = TextView(this).apply {
        text = s
        textSize = size
        setPadding(0, 8, 0, 8)
    }
}
