<?xml version="1.0" encoding="UTF-8"?>
<!--
  audit.xsl: one audit: where a running one stands, or its report: the
  summary (who, when, scope, result, counts, the journal's hash chain)
  and every problem found with where it is: unit, object, content digest,
  offer, the copy's file, what was expected and what was found.  Also
  the templates audits.xsl shares (running audit, scope, result).
-->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
  <xsl:import href="layout.xsl"/>

  <xsl:template match="audit" mode="title">Audit <xsl:value-of select="report/id | running/id"/></xsl:template>

  <xsl:template match="audit" mode="main">
    <p><a href="/ui/audits">Tous les audits</a></p>
    <xsl:apply-templates select="running | report"/>
  </xsl:template>

  <xsl:template match="running">
    <div id="running" data-state="running">
      <p>Audit <a href="/ui/audits/{id}"><xsl:value-of select="id"/></a> lancé le <xsl:value-of select="started"/>
        par <xsl:value-of select="agent"/> (<xsl:call-template name="scope"><xsl:with-param name="p" select="sample_percent"/></xsl:call-template>).</p>
      <p><label for="progress">Avancement</label>
        <progress id="progress" max="100" value="{@percent}"><xsl:value-of select="@percent"/> %</progress>
        <xsl:value-of select="@percent"/> % : <xsl:call-template name="num"><xsl:with-param name="n" select="@copies-done"/></xsl:call-template>
        copies sur <xsl:call-template name="num"><xsl:with-param name="n" select="@copies-total"/></xsl:call-template>,
        <xsl:call-template name="num"><xsl:with-param name="n" select="@bytes-done"/></xsl:call-template> octets relus.</p>
      <p><xsl:choose>
        <xsl:when test="/audits"><a href="/ui/audits" id="reload">Actualiser la page</a></xsl:when>
        <xsl:otherwise><a href="/ui/audits/{id}" id="reload">Actualiser la page</a></xsl:otherwise>
      </xsl:choose> pour suivre l'avancement.</p>
    </div>
  </xsl:template>

  <xsl:template name="scope">
    <xsl:param name="p"/>
    <xsl:choose>
      <xsl:when test="$p = 100 or not($p)">complet</xsl:when>
      <xsl:otherwise>échantillon de <xsl:value-of select="$p"/> %</xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- The outcome of a report or a summary (the context node). -->
  <xsl:template name="result">
    <xsl:choose>
      <xsl:when test="state = 'failed'"><span class="ko" data-result="failed">échec : <xsl:value-of select="error"/></span></xsl:when>
      <xsl:when test="ok = 'true'"><span class="ok" data-result="ok">conforme</span></xsl:when>
      <xsl:otherwise><span class="ko" data-result="problems">problèmes détectés</span></xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:template match="report">
    <dl class="summary">
      <dt>Résultat</dt><dd id="result"><xsl:call-template name="result"/></dd>
      <dt>Lancé le</dt><dd><xsl:value-of select="started"/> par <xsl:value-of select="agent"/></dd>
      <dt>Terminé le</dt><dd><xsl:value-of select="finished"/><xsl:if test="seconds"> (<xsl:value-of select="format-number(seconds, '0.0', 'fr')"/> s)</xsl:if></dd>
      <dt>Portée</dt><dd><xsl:call-template name="scope"><xsl:with-param name="p" select="sample_percent"/></xsl:call-template></dd>
      <xsl:if test="state != 'failed'">
        <dt>Copies</dt><dd><xsl:call-template name="num"><xsl:with-param name="n" select="checked"/></xsl:call-template> relues
          sur <xsl:call-template name="num"><xsl:with-param name="n" select="copies"/></xsl:call-template> listées,
          <xsl:call-template name="num"><xsl:with-param name="n" select="bytes_checked"/></xsl:call-template> octets
          <xsl:if test="gone &gt; 0">(<xsl:value-of select="gone"/> supprimée(s) pendant l'audit)</xsl:if></dd>
        <dt>Journal</dt><dd>entrées confrontées au catalogue : <xsl:value-of select="journal/units"/> unité(s),
          <xsl:value-of select="journal/objects"/> objet(s), <xsl:value-of select="journal/copies"/> copie(s)</dd>
        <dt>Chaînage du journal</dt><dd id="chain"><xsl:choose>
          <xsl:when test="chain/@ok = 'true'">intègre (<xsl:call-template name="num"><xsl:with-param name="n" select="chain/@entries"/></xsl:call-template> entrées vérifiées)</xsl:when>
          <xsl:when test="chain">rompu à l'entrée <xsl:value-of select="chain/@bad-seq"/> : <xsl:value-of select="chain"/></xsl:when>
          <xsl:otherwise>non vérifié par cet audit</xsl:otherwise>
        </xsl:choose></dd>
        <dt>Problèmes</dt><dd id="problem-count" data-value="{problems/@total}"><xsl:value-of select="problems/@total"/>
          <xsl:if test="repaired &gt; 0"> (<xsl:value-of select="repaired"/> réparé(s))</xsl:if></dd>
      </xsl:if>
    </dl>
    <xsl:if test="problems/problem">
      <table id="problems">
        <caption>Problèmes détectés<xsl:if test="problems/@total &gt; count(problems/problem)"> (les <xsl:value-of select="count(problems/problem)"/> premiers sur <xsl:value-of select="problems/@total"/>)</xsl:if></caption>
        <thead>
          <tr>
            <th scope="col">N°</th>
            <th scope="col">Problème</th>
            <th scope="col">Unité</th>
            <th scope="col">Objet(s)</th>
            <th scope="col">Empreinte SHA-256 attendue</th>
            <th scope="col">Offre de stockage</th>
            <th scope="col">Fichier</th>
            <th scope="col">Constat</th>
          </tr>
        </thead>
        <tbody>
          <xsl:for-each select="problems/problem">
            <tr data-problem="{problem}">
              <th scope="row"><xsl:value-of select="@n"/></th>
              <td><xsl:call-template name="kind"><xsl:with-param name="k" select="problem"/></xsl:call-template>
                <xsl:if test="repaired = 'true'"> (réparé)</xsl:if></td>
              <td class="units"><xsl:if test="unit"><a href="/ui/units/{unit}"><code><xsl:value-of select="unit"/></code></a></xsl:if>
                <xsl:for-each select="owner"><a href="/ui/units/{@id}"><xsl:value-of select="."/></a><xsl:if test="position() != last()">, </xsl:if></xsl:for-each></td>
              <td class="objects"><xsl:for-each select="object"><code><xsl:value-of select="."/></code><xsl:if test="position() != last()">, </xsl:if></xsl:for-each></td>
              <td><code class="hash"><xsl:value-of select="sha256"/></code></td>
              <td class="offer"><xsl:value-of select="offer"/></td>
              <td><xsl:choose>
                <xsl:when test="file"><code class="hash"><xsl:value-of select="offer-root"/>/<xsl:value-of select="file"/></code></xsl:when>
                <xsl:when test="file-expected">absent ; attendu dans <code class="hash"><xsl:value-of select="offer-root"/>/<xsl:value-of select="file-expected"/></code> (ou .zst)</xsl:when>
                <xsl:when test="journal_seq">entrée <xsl:value-of select="journal_seq"/> du journal</xsl:when>
              </xsl:choose></td>
              <td><xsl:value-of select="detail"/><xsl:if test="repair_failed"> ; réparation impossible : <xsl:value-of select="repair_failed"/></xsl:if></td>
            </tr>
          </xsl:for-each>
        </tbody>
      </table>
    </xsl:if>
  </xsl:template>

  <xsl:template name="kind">
    <xsl:param name="k"/>
    <xsl:choose>
      <xsl:when test="$k = 'missing'">copie absente</xsl:when>
      <xsl:when test="$k = 'corrupt'">copie altérée (empreinte différente)</xsl:when>
      <xsl:when test="$k = 'unreadable'">copie illisible</xsl:when>
      <xsl:when test="$k = 'no copy in the catalog'">objet sans aucune copie</xsl:when>
      <xsl:when test="$k = 'digest differs from the journal'">empreinte différente de celle du journal</xsl:when>
      <xsl:when test="$k = 'metadata differs from the journal'">métadonnées différentes de celles du journal</xsl:when>
      <xsl:when test="$k = 'object missing from the catalog'">objet journalisé absent du catalogue</xsl:when>
      <xsl:when test="$k = 'object not journaled'">objet non journalisé</xsl:when>
      <xsl:when test="$k = 'unit entry unreadable'">entrée de journal illisible</xsl:when>
      <xsl:when test="$k = 'unit journaled twice'">unité journalisée deux fois</xsl:when>
      <xsl:when test="$k = 'unit not in the catalog'">unité journalisée absente du catalogue</xsl:when>
      <xsl:when test="$k = 'unit not journaled'">unité non journalisée</xsl:when>
      <xsl:when test="$k = 'copy journaled but not in the catalog'">copie journalisée absente du catalogue</xsl:when>
      <xsl:when test="$k = 'copy journaled as removed'">copie journalisée comme supprimée</xsl:when>
      <xsl:when test="$k = 'journal chain broken'">chaînage du journal rompu</xsl:when>
      <xsl:otherwise><xsl:value-of select="$k"/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>
</xsl:stylesheet>
