package dev.proofshot.demo

import android.content.ContentProvider
import android.content.ContentValues
import android.content.Context
import android.database.Cursor
import android.database.MatrixCursor
import android.net.Uri
import android.os.ParcelFileDescriptor
import android.provider.OpenableColumns
import java.io.File
import java.io.FileNotFoundException

/**
 * Lends exported files (the evidence chain) to the app the user shares them with, read-only,
 * through a `content://` URI and a one-off read grant: the platform's own ContentProvider, which
 * is all AndroidX's FileProvider adds to this. Only files in the cache's `exports/` folder, by
 * plain name, can be read.
 */
class ExportProvider : ContentProvider() {
    override fun onCreate() = true

    override fun openFile(uri: Uri, mode: String): ParcelFileDescriptor {
        if (mode != "r") throw SecurityException("exports are read-only")
        return ParcelFileDescriptor.open(file(context!!, uri), ParcelFileDescriptor.MODE_READ_ONLY)
    }

    override fun query(uri: Uri, projection: Array<out String>?, selection: String?, args: Array<out String>?, sort: String?): Cursor {
        val f = file(context!!, uri)
        return MatrixCursor(arrayOf(OpenableColumns.DISPLAY_NAME, OpenableColumns.SIZE)).apply { addRow(arrayOf(f.name, f.length())) }
    }

    override fun getType(uri: Uri) = "text/plain"
    override fun insert(uri: Uri, values: ContentValues?): Uri? = throw UnsupportedOperationException("read-only")
    override fun update(uri: Uri, values: ContentValues?, selection: String?, args: Array<out String>?) = 0
    override fun delete(uri: Uri, selection: String?, args: Array<out String>?) = 0

    companion object {
        private const val AUTHORITY = "dev.proofshot.demo.exports"

        /** Writes [text] as the export [name] (whole or not at all) and returns its URI. */
        fun write(context: Context, name: String, text: String): Uri {
            val dir = File(context.cacheDir, "exports").apply { mkdirs() }
            val part = File(dir, "$name.part")
            part.writeText(text)
            if (!part.renameTo(File(dir, name))) throw java.io.IOException("cannot write the export $name")
            return Uri.Builder().scheme("content").authority(AUTHORITY).appendPath(name).build()
        }

        private fun file(context: Context, uri: Uri): File {
            val name = uri.lastPathSegment
            if (uri.authority != AUTHORITY || uri.pathSegments.size != 1 || name == null || name.startsWith(".") || name.endsWith(".part")) {
                throw FileNotFoundException("$uri")
            }
            val f = File(File(context.cacheDir, "exports"), name)
            if (!f.isFile) throw FileNotFoundException("$uri")
            return f
        }
    }
}
